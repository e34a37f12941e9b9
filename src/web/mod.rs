//! The web shell shared by every feature: the page layout, forms and their
//! fields, flash messages, static files, error pages and security headers.

pub mod assets;
pub mod cookies;
pub mod error_pages;
pub mod fields;
pub mod flash;
pub mod form;
pub mod headers;
pub mod layout;
pub mod links;
pub mod once;
pub mod time;

pub use fields::FormErrors;
pub use form::Form;
pub use layout::Layout;
