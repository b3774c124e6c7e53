package dev.dmengine.examples.embed;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's 20-line program runs, and the README shows exactly this program. */
class EmbedTest {

    private static final Path SOURCE = Path.of("src/main/java/dev/dmengine/examples/embed/Embed.java");
    private static final Path README = Path.of("../../README.md"); // the project README shows it

    @Test
    void the_program_streams_the_dms_narration_to_standard_output() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Embed.main(new String[0]);
        } finally {
            System.setOut(original);
        }

        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out.strip().split("\\s+")).hasSizeGreaterThan(10); // a narration, not a word or two
        assertThat(out).endsWith(System.lineSeparator());               // printed on turn.completed
    }

    @Test
    void the_readme_shows_the_program_as_compiled_in_at_most_20_lines() throws IOException {
        String program = Files.readString(SOURCE);
        Matcher shown = Pattern.compile("```java\\n(package dev\\.dmengine\\.examples\\.embed;.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(README));

        assertThat(shown.find()).as("a java block with the program in " + README).isTrue();
        assertThat(shown.group(1)).isEqualTo(program);
        assertThat(program.lines().count()).isLessThanOrEqualTo(20);
    }
}
