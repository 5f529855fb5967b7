//! External calendar sharing (seed 000, second how-to): publishing a mailbox's calendar
//! anonymously (`publishing`) and letting outsiders book a resource (`booking`), over Exchange's
//! calendar cmdlets.

pub mod booking;
pub mod publishing;
