package io.duroxide.provider.postgres;

import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.SqlTx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A batch of activity results as one statement instead of two per result: it deletes the work items still held
 * by the results' tokens and queues the results of exactly those, in the batch's order. A token that no longer
 * holds its work item (cancelled, or taken over after its lease expired) deletes nothing and queues nothing.
 */
final class PostgresCompletions {
    private static final String COMPLETE = "WITH c AS (SELECT DISTINCT ON (lock_token) * FROM"
            + " unnest(?::text[], ?::text[], ?::bigint[], ?::text[]) WITH ORDINALITY"
            + " AS c(lock_token, instance_id, execution_id, message_json, n) ORDER BY lock_token, n),"
            + " done AS (DELETE FROM worker_queue w USING c WHERE w.lock_token = c.lock_token RETURNING w.lock_token),"
            + " sent AS (INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
            + " attempt_count, created_at, fetch_rank) SELECT c.instance_id, c.execution_id, c.message_json, now(), 0, now(), "
            + FetchRank.of(PostgresDialect.INSTANCE, "c.instance_id", "now()")
            + " FROM c JOIN done d ON d.lock_token = c.lock_token ORDER BY c.n)"
            + " SELECT lock_token FROM done";

    private PostgresCompletions() {}

    /** Stores the completions ({@code json}: their events serialised); returns the tokens that no longer held theirs. */
    static Set<String> write(SqlTx tx, List<ActivityCompletion> completions, List<String> json) throws SQLException {
        PreparedStatement p = tx.bind(COMPLETE);
        p.setObject(1, PostgresDialect.texts(completions, ActivityCompletion::lockToken));
        p.setObject(2, PostgresDialect.texts(completions, a -> a.completion().instanceId()));
        p.setObject(3, PostgresDialect.bigints(completions, a -> a.completion().executionId()));
        p.setObject(4, PostgresDialect.texts(json, Function.identity()));
        Set<String> lost = new HashSet<>();
        for (ActivityCompletion a : completions) {
            lost.add(a.lockToken());
        }
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                lost.remove(rs.getString(1));
            }
        }
        return lost;
    }
}
