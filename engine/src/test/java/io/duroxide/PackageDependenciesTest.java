package io.duroxide;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The walls between the engine's packages, read from the compiled classes: every class, field, method
 * signature and generic signature a class file names is in its constant pool, so a reference the source
 * spells with a fully qualified name counts as much as an import. The public API depends on nothing
 * else of the engine; each package below may use only those listed for it, which also rules out cycles.
 */
class PackageDependenciesTest {
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "api", Set.of(),
            "history", Set.of("api"),
            "provider", Set.of("api", "history"),
            "observe", Set.of("history", "provider"),
            "runtime", Set.of("api", "history", "observe", "provider"));
    private static final Pattern ENGINE_PACKAGE = Pattern.compile("io/duroxide/([a-z]+)/");

    @Test
    void eachPackageUsesOnlyThePackagesBelowIt() throws Exception {
        Path classes = Path.of(DuroxideClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> crossings = new ArrayList<>();
        Set<String> packagesSeen = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("io/duroxide"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String from = topPackage(classes.relativize(file).toString().replace('\\', '/'));
                packagesSeen.add(from);
                for (String to : packagesNamedIn(file)) {
                    if (!to.equals(from) && !ALLOWED.getOrDefault(from, Set.of()).contains(to)) {
                        crossings.add(classes.relativize(file) + " uses io.duroxide." + to);
                    }
                }
            }
        }

        assertThat(packagesSeen).as("packages of the engine; a new one needs its place in ALLOWED")
                .isEqualTo(new TreeSet<>(ALLOWED.keySet()));
        assertThat(crossings).as("references across the walls").isEmpty();
    }

    /** The package under io.duroxide a class file's path is in: "provider" for io/duroxide/provider/jdbc/X.class. */
    private static String topPackage(String path) {
        Matcher m = ENGINE_PACKAGE.matcher(path);
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("not an engine class: " + path);
        }
        return m.group(1);
    }

    /** The engine packages the class's constant pool names (class names, descriptors and signatures are its UTF-8 entries). */
    private static Set<String> packagesNamedIn(Path classFile) throws IOException {
        Set<String> packages = new TreeSet<>();
        for (String text : utf8Constants(classFile)) {
            Matcher m = ENGINE_PACKAGE.matcher(text);
            while (m.find()) {
                packages.add(m.group(1));
            }
        }
        return packages;
    }

    /** The UTF-8 entries of a class file's constant pool (JVM specification, section 4.4). */
    private static List<String> utf8Constants(Path classFile) throws IOException {
        try (InputStream raw = Files.newInputStream(classFile); DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file: " + classFile);
            }
            in.skipBytes(4); // minor and major version
            int count = in.readUnsignedShort();
            List<String> texts = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> texts.add(in.readUTF());
                    case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                    case 15 -> in.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                    case 5, 6 -> {
                        in.skipBytes(8);
                        i++; // a long or double takes two entries
                    }
                    default -> throw new IOException("unknown constant tag " + tag + " in " + classFile);
                }
            }
            return texts;
        }
    }
}
