package io.backpoint.nbd;

/**
 * Wire numbers of the NBD protocol (NetworkBlockDevice/nbd doc/proto.md), in one place so that
 * every reader and writer agrees on them. Only what this client and the server speak is listed.
 */
final class NbdProtocol {
    private NbdProtocol() {
    }

    // Handshake magics.
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OLDSTYLE_MAGIC = 0x00420281861253L;
    static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    // Handshake flags (server) and client flags.
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;
    static final int FLAG_C_FIXED_NEWSTYLE = 1;
    static final int FLAG_C_NO_ZEROES = 1 << 1;

    // Options.
    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_STARTTLS = 5;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;

    // Option reply types; errors have bit 31 set.
    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_ERR_BIT = 1 << 31;
    static final int REP_ERR_UNSUP = REP_ERR_BIT | 1;
    static final int REP_ERR_POLICY = REP_ERR_BIT | 2;
    static final int REP_ERR_INVALID = REP_ERR_BIT | 3;
    static final int REP_ERR_TOO_BIG = REP_ERR_BIT | 9;
    static final int REP_ERR_UNKNOWN = REP_ERR_BIT | 6;

    // NBD_REP_INFO types.
    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_DESCRIPTION = 2;
    static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags.
    static final int TFLAG_HAS_FLAGS = 1;
    static final int TFLAG_READ_ONLY = 1 << 1;
    static final int TFLAG_SEND_FLUSH = 1 << 2;
    static final int TFLAG_SEND_FUA = 1 << 3;
    static final int TFLAG_SEND_TRIM = 1 << 5;
    static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
    static final int TFLAG_SEND_DF = 1 << 7;
    static final int TFLAG_CAN_MULTI_CONN = 1 << 8;
    static final int TFLAG_SEND_FAST_ZERO = 1 << 11;

    // Transmission magics.
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    // Commands.
    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_CACHE = 5;
    static final int CMD_WRITE_ZEROES = 6;
    static final int CMD_BLOCK_STATUS = 7;

    // Command flags.
    static final int CMD_FLAG_DF = 1 << 2;
    static final int CMD_FLAG_REQ_ONE = 1 << 3;

    // Structured reply flags and types; error chunk types have bit 15 set.
    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_OFFSET_HOLE = 2;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_ERROR_BIT = 1 << 15;
    static final int REPLY_TYPE_ERROR = REPLY_TYPE_ERROR_BIT | 1;
    static final int REPLY_TYPE_ERROR_OFFSET = REPLY_TYPE_ERROR_BIT | 2;

    // Limits. 32 MiB is the payload every server must accept and the most we ever ask for, so
    // a server announcing more than that in one chunk is treated as hostile.
    static final int MAX_PAYLOAD = 32 << 20;
    static final int MAX_STRING = 4096;
    /** Largest option reply we read: strings are capped at 4096 bytes, plus a little structure. */
    static final int MAX_OPTION_REPLY = 3 * MAX_STRING;
    /** The spec asks servers for at most 2^20 extents per block status chunk. */
    static final int MAX_EXTENTS_PER_CHUNK = 1 << 20;
    static final int MAX_STATUS_CHUNK = 4 + 8 * MAX_EXTENTS_PER_CHUNK;
    static final int MAX_ERROR_CHUNK = 14 + MAX_STRING + 64;

    static String optionName(int option) {
        return switch (option) {
            case OPT_EXPORT_NAME -> "NBD_OPT_EXPORT_NAME";
            case OPT_ABORT -> "NBD_OPT_ABORT";
            case OPT_LIST -> "NBD_OPT_LIST";
            case OPT_STARTTLS -> "NBD_OPT_STARTTLS";
            case OPT_INFO -> "NBD_OPT_INFO";
            case OPT_GO -> "NBD_OPT_GO";
            case OPT_STRUCTURED_REPLY -> "NBD_OPT_STRUCTURED_REPLY";
            case OPT_LIST_META_CONTEXT -> "NBD_OPT_LIST_META_CONTEXT";
            case OPT_SET_META_CONTEXT -> "NBD_OPT_SET_META_CONTEXT";
            default -> "option " + option;
        };
    }

    static String replyErrorName(int type) {
        return switch (type & ~REP_ERR_BIT) {
            case 1 -> "NBD_REP_ERR_UNSUP";
            case 2 -> "NBD_REP_ERR_POLICY";
            case 3 -> "NBD_REP_ERR_INVALID";
            case 4 -> "NBD_REP_ERR_PLATFORM";
            case 5 -> "NBD_REP_ERR_TLS_REQD";
            case 6 -> "NBD_REP_ERR_UNKNOWN";
            case 7 -> "NBD_REP_ERR_SHUTDOWN";
            case 8 -> "NBD_REP_ERR_BLOCK_SIZE_REQD";
            case 9 -> "NBD_REP_ERR_TOO_BIG";
            case 10 -> "NBD_REP_ERR_EXT_HEADER_REQD";
            default -> "NBD_REP_ERR " + (type & ~REP_ERR_BIT);
        };
    }

    static String commandName(int command) {
        return switch (command) {
            case CMD_READ -> "NBD_CMD_READ";
            case CMD_WRITE -> "NBD_CMD_WRITE";
            case CMD_DISC -> "NBD_CMD_DISC";
            case CMD_FLUSH -> "NBD_CMD_FLUSH";
            case CMD_TRIM -> "NBD_CMD_TRIM";
            case CMD_CACHE -> "NBD_CMD_CACHE";
            case CMD_WRITE_ZEROES -> "NBD_CMD_WRITE_ZEROES";
            case CMD_BLOCK_STATUS -> "NBD_CMD_BLOCK_STATUS";
            default -> "command " + command;
        };
    }
}
