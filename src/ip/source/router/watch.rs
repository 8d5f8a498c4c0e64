//! Placeholder (filled below).
