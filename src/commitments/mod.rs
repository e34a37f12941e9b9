//! Commitments: what each person promised in an agreement, when it is due,
//! and the records of it being kept or broken.

pub mod schedule;
