package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
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

    /** Fetches an orchestration item with a long lock, failing if there is none. */
    protected OrchestrationWorkItem fetch() {
        return provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow(() -> new AssertionError("nothing to fetch"));
    }

    /** Creates the instance and commits its first turn (the start event), leaving it RUNNING. */
    protected void startAndRunFirstTurn(String id) {
        provider.createInstance(newInstance(id, "Orch"));
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo(id);
        provider.commitTurn(item.lockToken(),
                Turn.of(1).events(item.messages().get(0).event()).version("Orch", "1.0").build());
    }

    /** Fetches the next item, checks it is for {@code id} and commits it as completed. */
    protected void completeNext(String id, String output) {
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo(id);
        provider.commitTurn(item.lockToken(), Turn.of(item.execution().executionId())
                .events(item.messages().get(0).event()).completed(output).build());
    }
}
