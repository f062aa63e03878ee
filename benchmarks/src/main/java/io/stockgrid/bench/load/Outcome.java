package io.stockgrid.bench.load;

/** How the store answered one request, as the generator counts it. */
enum Outcome
{
    /** Reserve: every line held (201, or the replay of a first 201). Commit/release/set/read: done (200). */
    ACCEPTED,
    /** An operating refusal: a reserve short of stock (409 REJECTED), a commit or release of a reservation that no
     * longer holds stock (409 RESERVATION_NOT_HELD), a read of an unknown reservation (404). */
    REJECTED,
    /** Anything else: another status code, a transport failure, a closed connection. */
    ERROR,
    /** Never sent: the connection's window and backlog were both full (the generator could not keep up). */
    DROPPED
}
