package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's hello world, kept compiling and correct. */
class HelloWorldTest {
    @TempDir
    Path dir;

    @Test
    void readmeExampleWorks() {
        Registry registry = new Registry()
                .addActivity("Greet", String.class, (ctx, name) -> "Hello, " + name + "!")
                .addOrchestration("HelloCities", String.class, (ctx, input) -> {
                    String a = ctx.callActivity("Greet", "Tokyo", String.class).await();
                    String b = ctx.callActivity("Greet", "Seattle", String.class).await();
                    return a + " " + b;
                });

        try (SqliteProvider store = SqliteProvider.open(dir.resolve("hello.db"));
             DuroxideRuntime runtime = DuroxideRuntime.builder(store, registry).build().start()) {
            DuroxideClient client = runtime.client();
            String id = client.startOrchestration("HelloCities", null);
            InstanceStatus done = client.waitForCompletion(id, Duration.ofSeconds(30));
            assertThat(done.status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(done.outputAs(String.class)).isEqualTo("Hello, Tokyo! Hello, Seattle!");
        }
    }
}
