package io.stockgrid.api.binary;

/**
 * The message types of protocol v1 (the header's Message Type). Requests go client to node; HELLO_OK, ERROR,
 * AVAILABILITY and RESERVATION go node to client. Numbers are fixed forever; new types get new numbers.
 */
public final class MessageType
{
    public static final int HELLO = 1;
    public static final int HELLO_OK = 2;
    public static final int ERROR = 3;
    public static final int SET_STOCK = 10;
    public static final int ADJUST = 11;
    public static final int RETURN = 12;
    public static final int RESERVE = 13;
    public static final int COMMIT = 14;
    public static final int RELEASE = 15;
    public static final int GET_RESERVATION = 16;
    public static final int GET_AVAILABILITY = 17;
    public static final int AVAILABILITY = 20;
    public static final int RESERVATION = 21;

    private MessageType()
    {
    }

    /** True for the types a client sends after the handshake. */
    public static boolean isRequest(final int type)
    {
        return type >= SET_STOCK && type <= GET_AVAILABILITY;
    }

    public static String name(final int type)
    {
        return switch (type)
        {
            case HELLO -> "HELLO";
            case HELLO_OK -> "HELLO_OK";
            case ERROR -> "ERROR";
            case SET_STOCK -> "SET_STOCK";
            case ADJUST -> "ADJUST";
            case RETURN -> "RETURN";
            case RESERVE -> "RESERVE";
            case COMMIT -> "COMMIT";
            case RELEASE -> "RELEASE";
            case GET_RESERVATION -> "GET_RESERVATION";
            case GET_AVAILABILITY -> "GET_AVAILABILITY";
            case AVAILABILITY -> "AVAILABILITY";
            case RESERVATION -> "RESERVATION";
            default -> "UNKNOWN";
        };
    }
}
