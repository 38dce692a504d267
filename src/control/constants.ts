/**
 * Limits of the control channel. (Candidates for src/constants.ts and
 * docs/LIMITS.md; kept here while that file belongs to the core.)
 */

/**
 * Longest Unix socket path, in bytes: `sun_path` holds 108 bytes on Linux
 * (104 on macOS) including the final NUL. A data directory deeper than this
 * cannot host its control socket; the daemon says so instead of failing with EINVAL.
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103

/**
 * Time a stopping daemon gives in-flight control requests (already aborted)
 * to send their error before their connections are cut.
 */
export const CONTROL_STOP_GRACE_MS = 2_000

/** Permissions of the control socket: whoever can connect controls the node, so only its owner. */
export const CONTROL_SOCKET_MODE = 0o600
