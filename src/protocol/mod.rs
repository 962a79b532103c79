//! Device codecs, pure: values → bytes and bytes → values, no I/O.
//!
//! - [`ticket`]: a ticket → the ESC/POS byte stream (GBK text, QR, cut).
//! - [`status`]: `DLE EOT` requests and the decoding of their replies.
//! - [`escpos_decode`]: an ESC/POS stream → what the printer would print (simulator, preview).
//! - [`gbk`]: text that a Chinese printer can print.

pub mod escpos_decode;
pub mod gbk;
pub mod modbus;
pub mod onbon;
pub mod status;
pub mod syn;
pub mod ticket;
