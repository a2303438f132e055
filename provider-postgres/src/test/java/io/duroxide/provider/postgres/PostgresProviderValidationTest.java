package io.duroxide.provider.postgres;

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
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The PostgreSQL provider runs the whole provider validation suite, each test in its own schema. */
class PostgresProviderValidationTest {
    @RegisterExtension
    static final PostgresTestDatabase PG = new PostgresTestDatabase();

    /** A fresh schema; the second provider (another process's view) opens the same schema. */
    static ProviderFactory factory(String group) {
        String schema = PG.newSchema(group);
        return new ProviderFactory() {
            @Override
            public Provider create() {
                return PostgresProvider.open(PostgresTestDatabase.options(schema));
            }

            @Override
            public Optional<Provider> openSecond() {
                return Optional.of(PostgresProvider.open(PostgresTestDatabase.options(schema)));
            }

            @Override
            public boolean backdateCreation(String instanceId, Duration age) {
                return ProviderFactory.updateDirectly(PostgresTestDatabase.url(), "UPDATE \"" + schema + "\".instances"
                        + " SET created_at = created_at - ? * interval '1 millisecond' WHERE instance_id = ?",
                        age.toMillis(), instanceId) == 1;
            }
        };
    }

    @Nested
    class QueueSemantics extends QueueSemanticsValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("queue");
        }
    }

    @Nested
    class EagerStart extends EagerStartValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("eager");
        }
    }

    @Nested
    class InstanceLocking extends InstanceLockingValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("locking");
        }
    }

    @Nested
    class AtomicCommit extends AtomicCommitValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("atomic");
        }
    }

    @Nested
    class DeliveryCount extends DeliveryCountValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("delivery");
        }
    }

    @Nested
    class MultiExecution extends MultiExecutionValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("multiexec");
        }
    }

    @Nested
    class ActivityQueue extends ActivityQueueValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("activity");
        }
    }

    @Nested
    class Management extends ManagementValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("management");
        }
    }

    @Nested
    class LockedWork extends LockedWorkValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("locked");
        }
    }

    @Nested
    class LockExpiry extends LockExpiryValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("lockexpiry");
        }
    }

    @Nested
    class DelayedVisibility extends DelayedVisibilityValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("delayed");
        }
    }

    @Nested
    class Poison extends PoisonValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("poison");
        }
    }

    @Nested
    class ContinueAsNewIsolation extends ContinueAsNewIsolationValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("canisolation");
        }
    }

    @Nested
    class Purge extends PurgeValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("purge");
        }
    }

    @Nested
    class Paging extends PagingValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("paging");
        }
    }

    @Nested
    class LargePayload extends LargePayloadValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("large");
        }
    }

    @Nested
    class FailedCommit extends FailedCommitValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("failedcommit");
        }
    }

    @Nested
    class ConcurrentCommit extends ConcurrentCommitValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("concurrent");
        }
    }

    @Nested
    class InstanceWork extends InstanceWorkValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("work");
        }
    }
}
