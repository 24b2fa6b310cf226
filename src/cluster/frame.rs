//! Framing of the cluster bus: an 8-byte prefix ("RCmb" + big-endian
//! totlen) read on its own and checked, then the rest of the frame.

use crate::abi::cluster::CLUSTERMSG_SIG;

pub const PREFIX_LEN: usize = 8;

/// The sizes one link works with: the host's (or generation's) frame
/// sizes and the library's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// CLUSTERMSG_MIN_LEN: the smallest totlen accepted.
    pub min_len: usize,
    /// The largest totlen accepted.
    pub max_frame: usize,
    /// sizeof(clusterMsg): the reference's read chunk.
    pub read_chunk: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Wrong signature, or totlen below the minimum or above the bound.
    BadHeader,
}

fn totlen(buffered: &[u8]) -> Option<usize> {
    let b = buffered.get(4..8)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// How many bytes to read next, given what is buffered of the current
/// frame. The prefix is checked as soon as it is complete, before anything
/// is handed on: a frame claiming totlen 8 no longer slips past the check.
pub fn next_read(buffered: &[u8], limits: &Limits) -> Result<usize, FrameError> {
    let len = buffered.len();
    if len < PREFIX_LEN {
        return Ok(PREFIX_LEN - len);
    }
    let total = totlen(buffered).ok_or(FrameError::BadHeader)?;
    if len == PREFIX_LEN
        && (buffered.get(..4) != Some(&CLUSTERMSG_SIG[..]) || total < limits.min_len || total > limits.max_frame)
    {
        return Err(FrameError::BadHeader);
    }
    Ok(total.saturating_sub(len))
}

/// How many of the `want` bytes still missing from a frame to make room for
/// now, given the `buffered` bytes of it that arrived: never more than what
/// arrived (at least one read chunk), so the buffer at most doubles per
/// read and follows the bytes a peer sent, not the length it claims.
pub fn read_budget(buffered: usize, want: usize, read_chunk: usize) -> usize {
    want.min(buffered.max(read_chunk))
}

/// The total length announced by a checked prefix.
pub fn frame_len(buffered: &[u8]) -> Option<usize> {
    if buffered.len() < PREFIX_LEN { None } else { totlen(buffered) }
}

/// True when the buffer holds exactly one whole frame. A bare prefix is
/// never a frame: it is checked first (the reference handed on a "frame"
/// whose totlen said 8 before checking it).
pub fn is_complete(buffered: &[u8]) -> bool {
    buffered.len() > PREFIX_LEN && frame_len(buffered) == Some(buffered.len())
}

/// The message type of a whole frame (offset 12, big-endian, in every
/// generation's clusterMsg), for the host's per-type counter.
pub fn msg_type(frame: &[u8]) -> Option<u16> {
    let b = frame.get(12..14)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits { min_len: 2208, max_frame: 1 << 20, read_chunk: 4304 };

    fn prefix(sig: &[u8; 4], total: u32) -> Vec<u8> {
        let mut v = sig.to_vec();
        v.extend_from_slice(&total.to_be_bytes());
        v
    }

    #[test]
    fn reads_prefix_then_rest() {
        assert_eq!(next_read(&[], &L), Ok(8));
        assert_eq!(next_read(b"RCm", &L), Ok(5));
        let p = prefix(b"RCmb", 2300);
        assert_eq!(next_read(&p, &L), Ok(2292));
        let mut full = p.clone();
        full.resize(2300, 0);
        assert!(is_complete(&full));
        assert_eq!(next_read(&full, &L), Ok(0));
    }

    #[test]
    fn read_budget_follows_what_arrived() {
        let chunk = 4304;
        assert_eq!(read_budget(8, (64 << 20) - 8, chunk), chunk, "a bare header buys one chunk");
        assert_eq!(read_budget(8, 100, chunk), 100);
        assert_eq!(read_budget(1 << 20, 64 << 20, chunk), 1 << 20, "then at most doubling");
        // Following the budget, capacity stays within twice what arrived
        // plus one chunk, all the way to the claimed length.
        let (total, mut have) = (64usize << 20, 8usize);
        while have < total {
            let step = read_budget(have, total - have, chunk);
            assert!(have + step <= 2 * have + chunk);
            have += step;
        }
        assert_eq!(have, total);
    }

    #[test]
    fn rejects_bad_prefixes() {
        assert_eq!(next_read(&prefix(b"RCmX", 2300), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 2207), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 8), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", (1 << 20) + 1), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 1 << 20), &L), Ok((1 << 20) - 8));
        assert!(!is_complete(&prefix(b"JUNK", 8)));
        let l50 = Limits { min_len: 2256, ..L };
        assert_eq!(next_read(&prefix(b"RCmb", 2255), &l50), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 2256), &l50), Ok(2248));
    }
}
