package io.duroxide.provider.jdbc;

import io.duroxide.provider.ProviderException.Kind;
import java.sql.SQLException;
import java.util.function.Function;

/** Reads a storage failure's {@link Kind} off the SQLExceptions of its cause chain, with a driver's own classifier. */
public final class SqlFailureKinds {
    /** How far down a cause chain to look: drivers and pools wrap a few times, a cycle must not loop forever. */
    private static final int MAX_DEPTH = 16;

    private SqlFailureKinds() {}

    /** The first kind other than {@link Kind#UNKNOWN} that {@code classify} gives an SQLException of the chain. */
    public static Kind firstKnown(Throwable error, Function<SQLException, Kind> classify) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < MAX_DEPTH; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof SQLException sql) {
                Kind kind = classify.apply(sql);
                if (kind != Kind.UNKNOWN) {
                    return kind;
                }
            }
        }
        return Kind.UNKNOWN;
    }
}
