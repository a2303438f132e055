package io.duroxide.provider.postgres;

import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ActivityQueueValidation;
import io.duroxide.provider.validation.AtomicCommitValidation;
import io.duroxide.provider.validation.DeliveryCountValidation;
import io.duroxide.provider.validation.InstanceLockingValidation;
import io.duroxide.provider.validation.InstanceWorkValidation;
import io.duroxide.provider.validation.LockedWorkValidation;
import io.duroxide.provider.validation.ManagementValidation;
import io.duroxide.provider.validation.MultiExecutionValidation;
import io.duroxide.provider.validation.ProviderFactory;
import io.duroxide.provider.validation.QueueSemanticsValidation;
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
    class InstanceWork extends InstanceWorkValidation {
        @Override
        protected ProviderFactory providerFactory() {
            return factory("work");
        }
    }
}
