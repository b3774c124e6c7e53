package dev.dmengine.auth;

import dev.dmengine.core.game.PlayerService;
import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dm-auth checks emails and display names on its own (it does not depend on the engine); an
 * account the engine's {@code PlayerService} creates and one registered here must still be found
 * by the same email. These cases hold the two to the same answer, value or refusal.
 */
class AccountInputTest {

    private static final List<String> EMAILS = Arrays.asList(
            "alice@example.org", "  Alice@Example.ORG ", "ALICE@EXAMPLE.ORG", "\tbob@example.org\t",
            "no-at-sign", "@example.org", "alice@", "a@b@c", "al ice@example.org", "al\tice@example.org",
            "al\nice@example.org", "al\u0000ice@example.org", "al\u0085ice@example.org", "al\u007Fice@example.org",
            "al\uD800ice@example.org", "\uD83D\uDE00@example.org", "", "   ", null,
            "a".repeat(242) + "@example.org", "a".repeat(243) + "@example.org", "ÉLODIE@EXAMPLE.ORG");

    private static final List<String> NAMES = Arrays.asList(
            "Alice", "  Alice  ", "Ali\tce", "Ali\nce", "Ali\rce", "Ali\u0007ce", "Ali\u009Fce", "Ali\uDC00ce",
            "Ali\uD83D\uDE00ce", "", " ", null, "x".repeat(60), "x".repeat(61), " " + "x".repeat(60) + " ");

    @Test
    void emails_are_normalised_and_refused_as_the_engine_does() {
        List<String> differences = new ArrayList<>();
        for (String email : EMAILS) {
            compare(email, AccountInput::email, PlayerService::normaliseEmail, differences);
        }

        assertThat(differences).isEmpty();
        assertThat(AccountInput.email("  Alice@Example.ORG ")).isEqualTo("alice@example.org");
    }

    @Test
    void display_names_are_checked_as_the_engine_does() {
        List<String> differences = new ArrayList<>();
        for (String name : NAMES) {
            compare(name, AccountInput::displayName,
                    n -> Validation.text("displayName", n, PlayerService.MAX_DISPLAY_NAME), differences);
        }

        assertThat(differences).isEmpty();
        assertThat(AccountInput.MAX_DISPLAY_NAME).isEqualTo(PlayerService.MAX_DISPLAY_NAME);
        assertThat(AccountInput.MAX_EMAIL).isEqualTo(PlayerService.MAX_EMAIL);
    }

    @Test
    void a_refusal_names_the_field_and_the_limit() {
        InvalidInputException e = refusal(() -> AccountInput.displayName("x".repeat(61)));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("displayName");
            assertThat(error.message()).isEqualTo("must be at most 60 characters, was 61");
        });
        assertThat(refusal(() -> AccountInput.email("nobody")).errors()).singleElement()
                .satisfies(error -> assertThat(error.field()).isEqualTo("email"));
    }

    private static void compare(String input, UnaryOperator<String> ours, UnaryOperator<String> engines,
                                List<String> differences) {
        String a = outcome(ours, input);
        String b = outcome(engines, input);
        if (!a.equals(b)) {
            differences.add(printable(input) + ": dm-auth " + a + ", engine " + b);
        }
    }

    private static String outcome(UnaryOperator<String> check, String input) {
        try {
            return "value " + check.apply(input);
        } catch (InvalidInputException e) {
            return "refused " + e.errors();
        }
    }

    private static InvalidInputException refusal(Runnable call) {
        try {
            call.run();
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append(c < 0x20 || c >= 0x7F ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return b.toString();
    }
}
