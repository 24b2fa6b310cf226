//! The socket helpers core: safe Rust, one job per module. Every
//! operation returns `AnetResult`, whose error carries the reference's
//! exact message text and the errno to leave for C callers; the `ffi`
//! layer only moves these into C buffers. Rust callers (the cluster bus)
//! use these functions directly.

pub mod accept;
pub mod addr;
pub mod connect;
pub mod error;
pub mod io;
pub mod names;
pub mod options;
pub mod port;
pub mod resolve;
pub mod server;
pub mod sock;
pub mod unix;

pub use accept::{tcp_accept, unix_accept};
pub use addr::{Endpoint, IpText};
pub use connect::{BestEffort, tcp_connect, tcp_connect_best_effort, unix_connect};
pub use error::{AnetError, AnetResult};
pub use io::{read_full, write_full};
pub use names::{format_addr, format_peer, format_sock, peer_name, sock_name};
pub use options::{
    keepalive, send_timeout, set_block, set_blocking, set_nonblock, set_send_buffer,
    set_tcp_nodelay, tcp_keepalive,
};
pub use resolve::resolve;
pub use server::{Family, tcp_server, unix_server};
