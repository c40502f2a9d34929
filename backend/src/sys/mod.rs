//! What the process asks of the operating system: the wall clock, and allocator tuning.
pub mod clock;
pub mod memory;
