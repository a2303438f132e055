package io.duroxide.provider.jdbc;

import java.sql.SQLException;

/**
 * The transaction discipline of one SQL store, as {@link JdbcProvider} uses it: each dialect's database
 * decides how a unit of work gets a connection, when it commits and which failures it runs again as a whole.
 */
public interface SqlDatabase extends AutoCloseable {

    /** Work done in one unit on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(SqlTx tx) throws SQLException;
    }

    /** Runs {@code work} without a write transaction (a read sees committed data). */
    <T> T read(String operation, Work<T> work);

    /** Runs {@code work} in one transaction: all of it commits, or none. */
    <T> T write(String operation, Work<T> work);

    /**
     * Like {@link #write}, for a transaction whose loss in a server crash is harmless (taking, renewing or giving
     * up a lock): a store may commit it without waiting for durability. By default it is an ordinary write.
     */
    default <T> T writeVolatile(String operation, Work<T> work) {
        return write(operation, work);
    }

    @Override
    void close();
}
