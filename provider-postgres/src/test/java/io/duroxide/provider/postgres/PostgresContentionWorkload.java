package io.duroxide.provider.postgres;

import io.duroxide.testing.ContentionWorkload;

/**
 * {@link ContentionWorkload} on PostgreSQL, for child JVMs. Usage: {@code PostgresContentionWorkload
 * SCHEMA LOG READY_FILE COUNT NAME LOCK_TIMEOUT_MS}; the server comes from {@code DUROXIDE_TEST_PG_URL}.
 */
public final class PostgresContentionWorkload {
    private PostgresContentionWorkload() {}

    public static void main(String[] args) throws Exception {
        ContentionWorkload.run(PostgresProvider.open(PostgresTestDatabase.options(args[0])), args);
    }
}
