package io.duroxide.provider.sqlite;

import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ActivityQueueValidation;
import io.duroxide.provider.validation.AtomicCommitValidation;
import io.duroxide.provider.validation.ConcurrentCommitValidation;
import io.duroxide.provider.validation.ContinueAsNewIsolationValidation;
import io.duroxide.provider.validation.DelayedVisibilityValidation;
import io.duroxide.provider.validation.DeliveryCountValidation;
import io.duroxide.provider.validation.EagerStartValidation;
import io.duroxide.provider.validation.FailedCommitValidation;
import io.duroxide.provider.validation.InstanceLockingValidation;
import io.duroxide.provider.validation.InstanceWorkValidation;
import io.duroxide.provider.validation.LargePayloadValidation;
import io.duroxide.provider.validation.LockExpiryValidation;
import io.duroxide.provider.validation.LockedWorkValidation;
import io.duroxide.provider.validation.ManagementValidation;
import io.duroxide.provider.validation.MultiExecutionValidation;
import io.duroxide.provider.validation.PagingValidation;
import io.duroxide.provider.validation.PoisonValidation;
import io.duroxide.provider.validation.ProviderFactory;
import io.duroxide.provider.validation.PurgeValidation;
import io.duroxide.provider.validation.QueueSemanticsValidation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite provider runs the whole provider validation suite, each test on its own file. */
class SqliteProviderValidationTest {

    /** A store file in the test's temporary directory; the second provider opens the same file. */
    static ProviderFactory factory(Path dir) {
        Path file = dir.resolve("store.db");
        return new ProviderFactory() {
            @Override
            public Provider create() {
                return SqliteProvider.open(file);
            }

            @Override
            public Optional<Provider> openSecond() {
                return Optional.of(SqliteProvider.open(file));
            }

            @Override
            public boolean backdateCreation(String instanceId, Duration age) {
                return ProviderFactory.updateDirectly("jdbc:sqlite:" + file,
                        "UPDATE instances SET created_at = created_at - ? WHERE instance_id = ?", age.toMillis(), instanceId) == 1;
            }
        };
    }

    @Nested
    class QueueSemantics extends QueueSemanticsValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class EagerStart extends EagerStartValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class InstanceLocking extends InstanceLockingValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class AtomicCommit extends AtomicCommitValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class DeliveryCount extends DeliveryCountValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class MultiExecution extends MultiExecutionValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class ActivityQueue extends ActivityQueueValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class Management extends ManagementValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class LockedWork extends LockedWorkValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class LockExpiry extends LockExpiryValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class DelayedVisibility extends DelayedVisibilityValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class Poison extends PoisonValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class ContinueAsNewIsolation extends ContinueAsNewIsolationValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class Purge extends PurgeValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class Paging extends PagingValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class LargePayload extends LargePayloadValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class FailedCommit extends FailedCommitValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class ConcurrentCommit extends ConcurrentCommitValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }

    @Nested
    class InstanceWork extends InstanceWorkValidation {
        @TempDir
        Path dir;

        @Override
        protected ProviderFactory providerFactory() {
            return factory(dir);
        }
    }
}
