package io.duroxide.provider.validation;


import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every validation group: opens a fresh provider from {@link #providerFactory()} before
 * each test and closes every provider the test opened afterwards.
 */
public abstract class ProviderValidation {
    /** The provider under test, fresh and empty for each test. */
    protected Provider provider;

    private ProviderFactory factory;
    private final List<Provider> opened = new ArrayList<>();

    /** Supplies the factory for one test; called once per test, after field injection such as {@code @TempDir}. */
    protected abstract ProviderFactory providerFactory();

    @BeforeEach
    final void openProvider() {
        factory = providerFactory();
        provider = factory.create();
        opened.add(provider);
    }

    @AfterEach
    final void closeProviders() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (RuntimeException ignored) {
                // a test may have closed it already
            }
        }
        opened.clear();
    }

    /** A second provider on the same store, if the factory supports it; closed after the test. */
    protected Optional<Provider> openSecond() {
        Optional<Provider> second = factory.openSecond();
        second.ifPresent(opened::add);
        return second;
    }

    /** A second provider on the same store; the test is skipped when the factory cannot open one. */
    protected Provider second() {
        Optional<Provider> second = openSecond();
        Assumptions.assumeTrue(second.isPresent(), "the factory cannot open a store twice");
        return second.get();
    }

    /**
     * Closes {@link #provider}, as a process that stops or dies does, and replaces it by a new one on the same store;
     * the test is skipped when the factory cannot open one.
     */
    protected Provider restart() {
        Provider next = second();
        provider.close();
        provider = next;
        return next;
    }

    /**
     * Moves an instance's creation time back by {@code age} (behind the SPI, which has no such write); the test
     * is skipped when the factory cannot.
     */
    protected void backdateCreation(String instanceId, Duration age) {
        Assumptions.assumeTrue(factory.backdateCreation(instanceId, age), "the factory cannot backdate an instance");
    }

    /**
     * Waits until this host's clock is past the millisecond {@code instanceId} was created in, so that an instance
     * created next is younger on a store that keeps milliseconds too: two instances created in one millisecond rank
     * as peers. The clock's reading is truncated as such a store truncates it: a reading of 7.4 ms is past a creation
     * stored as 7 ms, yet an instance created then is stored as 7 ms as well.
     */
    protected void awaitClockPastCreationOf(String instanceId) {
        Instant created = provider.getInstance(instanceId).orElseThrow().createdAt();
        ValidationSupport.await("the clock to pass the creation of " + instanceId,
                () -> Instant.now().truncatedTo(ChronoUnit.MILLIS).isAfter(created));
    }

    /** Multi-step states built on {@link #provider}. */
    protected ProviderScenarios scenarios() {
        return new ProviderScenarios(provider);
    }

    protected OrchestrationWorkItem fetch() {
        return scenarios().fetch();
    }

    protected void startAndRunFirstTurn(String id) {
        scenarios().startAndRunFirstTurn(id);
    }

    protected void completeNext(String id, String output) {
        scenarios().completeNext(id, output);
    }
}
