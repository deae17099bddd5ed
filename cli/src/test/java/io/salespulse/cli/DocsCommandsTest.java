package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.localstack.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commands the documentation shows must work as shown. Every {@code bin/salespulse ...} line of a shell block in
 * README.md and docs/ is parsed by the real command line (the command exists, every flag exists and takes its
 * value); a renamed or removed flag in the code, or a typo in a doc, fails here. The README's local session is then
 * run as written against a real broker and ClickHouse engine, and its effects checked. The policy, import, gateway
 * and configuration commands run as documented in their own tests (PolicyCommandTest, ImportCommandTest,
 * GatewayCommandLineTest, ConfigurationDocTest).
 */
class DocsCommandsTest {
    private static final Path ROOT = Path.of("..");

    @TempDir
    Path dir;

    @Test
    void everyDocumentedCommandParses() throws Exception {
        List<Documented> commands = documentedCommands();
        assertThat(commands).as("commands found in the docs").hasSizeGreaterThan(40);
        List<String> broken = new ArrayList<>();
        for (Documented c : commands) {
            try {
                SalesPulse.commandLine().parseArgs(c.args().toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                broken.add(c.where() + ": " + String.join(" ", c.args()) + " -> " + e.getMessage());
            }
        }
        assertThat(broken).as("documented commands the command line refuses").isEmpty();
    }

    @Test
    void theReadmesLocalSessionDoesWhatItSays() throws Exception {
        List<Documented> session = documentedCommands().stream().filter(c -> c.where().startsWith("README.md")).toList();
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
                LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"))) {
            ContractTopics.create(kafka, 1);
            String[] at = {"--kafka-bootstrap", kafka.bootstrapServers()};
            String[] ch = {"--clickhouse-url", clickHouse.jdbcUrl()};

            CliRun migrate = run(find(session, "migrate"), ch);
            assertThat(migrate.exitCode()).as(migrate.err()).isZero();
            CliRun simulate = run(find(session, "simulate"), at);
            assertThat(simulate.exitCode()).as(simulate.err()).isZero();
            assertThat(kafka.readAll("sales.stages")).as("the simulated history is in Kafka").isNotEmpty();
            CliRun query = run(find(session, "query"), ch);
            assertThat(query.exitCode()).as(query.err()).isZero();
            assertThat(query.out()).contains("severity").contains("title");
        }
    }

    /** One documented invocation: where it stands and its arguments after {@code bin/salespulse}. */
    record Documented(String where, List<String> args) {}

    private static CliRun run(Documented c, String... connection) {
        List<String> args = new ArrayList<>(c.args());
        args.addAll(List.of(connection));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static Documented find(List<Documented> commands, String... prefix) {
        return commands.stream().filter(c -> c.args().size() >= prefix.length
                && c.args().subList(0, prefix.length).equals(List.of(prefix))).findFirst().orElseThrow(
                        () -> new AssertionError("the README shows no 'bin/salespulse " + String.join(" ", prefix) + "'"));
    }

    /**
     * Every {@code bin/salespulse} line of the shell blocks (continuation lines joined, comments, {@code &} and
     * redirections dropped); lines with placeholders ({@code <x>}, {@code ...}, {@code [--opt]}) are skipped, and
     * commands that run for minutes or need a build (demo, test, bench) are parsed like the others.
     */
    static List<Documented> documentedCommands() throws Exception {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Documented> out = new ArrayList<>();
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            boolean shell = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    shell = !shell && (line.equals("```bash") || line.equals("```sh") || line.equals("```shell"));
                    continue;
                }
                if (!shell) {
                    continue;
                }
                String text = line.strip().replaceFirst("^(\\$ )?([A-Z_]+=\\S+ )*", "");
                if (!text.startsWith("bin/salespulse ")) {
                    continue;
                }
                int at = i;
                while (text.endsWith("\\") && i + 1 < lines.size()) {
                    text = text.substring(0, text.length() - 1) + " " + lines.get(++i).strip();
                }
                if (text.matches(".*(<[^>]*>|\\.\\.\\.|\\[--?[a-z]).*")) {
                    continue; // a placeholder, not a command to type
                }
                List<String> args = shellWords(text.substring("bin/salespulse ".length()));
                if (args.isEmpty() || args.get(0).equals("test")) {
                    continue; // `test` is the script's own verb (Maven), not the Java command line's
                }
                out.add(new Documented(ROOT.relativize(f) + ":" + (at + 1), args));
            }
        }
        return out;
    }

    /** Splits like a shell: quotes, a trailing comment, {@code &}, {@code > file}; variables stay as written. */
    static List<String> shellWords(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else if (c == '#' && !inWord) {
                break;
            } else if ((c == '&' || c == '>' || c == '|') && !inWord) {
                break;
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
