package io.duroxide.provider.validation;

import io.duroxide.provider.Provider;
import java.util.Optional;

/**
 * How the validation suite gets the provider under test. The suite asks its subclass for a factory
 * once per test, so a factory may hold per-test resources such as a temporary directory.
 */
public interface ProviderFactory {

    /** A fresh provider on a new, empty store that no other test uses. Closed by the suite. */
    Provider create();

    /**
     * A second provider on the same store as the last {@link #create()}, standing in for another
     * process; the suite closes it. Empty when the implementation cannot open a store twice, in which
     * case the tests that need it use the first provider from several threads instead.
     */
    default Optional<Provider> openSecond() {
        return Optional.empty();
    }
}
