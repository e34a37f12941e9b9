//! The repair path of a breach: naming it, understanding it, the apology,
//! asking what would help, and both committing to repair.

pub mod hints;
