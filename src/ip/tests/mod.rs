//! Unit tests of the sans-IO parts of the address layer.

mod agree;
mod filter;
mod iface;
mod netlink;
mod source;
mod suffix;
mod text;
