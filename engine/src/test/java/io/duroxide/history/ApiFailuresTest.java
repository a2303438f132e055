package io.duroxide.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.Failure;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiFailuresTest {

    @Test
    void theApiHasTheSameKindsAsTheEngineInTheSameOrder() {
        assertThat(Arrays.stream(io.duroxide.api.FailureKind.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(FailureKind.values()).map(Enum::name).toList());
    }

    @Test
    void aRecordedFailureReadsBackUnchangedThroughTheApi() {
        for (FailureKind kind : FailureKind.values()) {
            FailureDetails recorded = new FailureDetails(kind, "com.example.Boom", List.of("com.example.Boom", "java.io.IOException"),
                    "boom", "E42", kind == FailureKind.TIMEOUT);

            Failure shown = ApiFailures.toApi(recorded);

            assertThat(shown.kind().name()).isEqualTo(kind.name());
            assertThat(shown.summary()).isEqualTo(recorded.summary());
            assertThat(ApiFailures.fromApi(shown)).isEqualTo(recorded);
        }
    }

    @Test
    void noFailureStaysNoFailure() {
        assertThat(ApiFailures.toApi(null)).isNull();
        assertThat(ApiFailures.fromApi(null)).isNull();
    }
}
