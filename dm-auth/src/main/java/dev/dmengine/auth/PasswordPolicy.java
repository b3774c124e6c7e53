package dev.dmengine.auth;

import dev.dmengine.spi.InvalidInputException;
import me.gosimple.nbvcxz.Nbvcxz;
import me.gosimple.nbvcxz.matching.match.DictionaryMatch;
import me.gosimple.nbvcxz.matching.match.Match;
import me.gosimple.nbvcxz.resources.ConfigurationBuilder;
import me.gosimple.nbvcxz.resources.Dictionary;
import me.gosimple.nbvcxz.resources.DictionaryBuilder;
import me.gosimple.nbvcxz.scoring.Result;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The password rules of OWASP ASVS 5.0 (V6.2): length, not composition.
 *
 * <ul>
 *   <li>at least {@link #MIN_LENGTH} characters, {@link #RECOMMENDED_LENGTH} recommended (for
 *       the UI to say so), at most {@link #MAX_LENGTH} — far above the 64 ASVS asks to allow;
 *       characters are Unicode code points after NFKC normalisation, so an emoji counts once;</li>
 *   <li>no composition rules: any character is allowed, spaces included;</li>
 *   <li>refused when it is among the most common passwords or a trivial variant of one
 *       ({@code Password123!}), or when it is built from the player's email address or
 *       display name ({@code alice.smith2024}). Both are judged by
 *       <a href="https://github.com/GoSimpleLLC/nbvcxz">nbvcxz</a> with its bundled
 *       dictionaries plus a per-call dictionary of the player's own data: a password whose
 *       estimated strength is below {@link #DEFAULT_MIN_ENTROPY_BITS} bits (about a million
 *       guesses) is refused. That floor is low on purpose — it catches breached-list and
 *       "name + year" passwords, not random eight-character ones.</li>
 * </ul>
 *
 * <p>The password is never truncated (the hasher gets all of it) and never appears in an
 * error message. Strength is estimated on the first {@link #ESTIMATE_LENGTH} characters;
 * anything longer is far beyond guessing anyway. Thread-safe.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 8;
    /** What the UI should suggest; not enforced. */
    public static final int RECOMMENDED_LENGTH = 15;
    public static final int MAX_LENGTH = 1024;
    public static final double DEFAULT_MIN_ENTROPY_BITS = 20.0;
    static final int ESTIMATE_LENGTH = 256;

    private static final String FIELD = "password";
    private static final String USER_DATA = "user_data";
    private static final int MIN_USER_WORD = 3;
    private static final List<Dictionary> BUNDLED = ConfigurationBuilder.getDefaultDictionaries();

    private final double minEntropyBits;

    /** The default policy: {@link #DEFAULT_MIN_ENTROPY_BITS}. */
    public PasswordPolicy() {
        this(DEFAULT_MIN_ENTROPY_BITS);
    }

    /** @param minEntropyBits estimated strength below which a password is refused, 0 to 64 */
    public PasswordPolicy(double minEntropyBits) {
        if (!(minEntropyBits >= 0 && minEntropyBits <= 64)) {
            throw new IllegalArgumentException("minEntropyBits must be 0 to 64, was " + minEntropyBits);
        }
        this.minEntropyBits = minEntropyBits;
    }

    /**
     * The form in which passwords are checked and hashed: NFKC, as NIST SP 800-63B advises,
     * so that the same password typed on two keyboards hashes the same.
     */
    public static String normalise(String password) {
        return Normalizer.normalize(password, Normalizer.Form.NFKC);
    }

    /**
     * Refuses (400, field {@code password}) a password that is not well-formed Unicode text:
     * one holding a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair). UTF-8 cannot
     * encode one — Java writes {@code ?} instead — so hashing it would silently make a password
     * that matches any other with a {@code ?} in that place. Registration, login and anything
     * that sets a password call this (through {@link #check} or the hasher) before hashing.
     */
    public static void requireWellFormed(String password) {
        if (password == null) {
            return;
        }
        for (int i = 0; i < password.length(); i++) {
            char c = password.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < password.length() && Character.isLowSurrogate(password.charAt(i + 1))) {
                i++; // a pair: one supplementary character
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInputException(FIELD, "must be valid Unicode text: character " + (i + 1)
                        + " is half of a character (a lone UTF-16 surrogate); type the password again");
            }
        }
    }

    /** Length in characters as this policy counts them (code points of the NFKC form). */
    public static int length(String password) {
        String n = normalise(password);
        return n.codePointCount(0, n.length());
    }

    /**
     * Refuses the password with an {@link InvalidInputException} on field {@code password}
     * whose message tells the player what to change.
     *
     * @param email       the player's email (may be {@code null})
     * @param displayName the player's display name (may be {@code null})
     */
    public void check(String password, String email, String displayName) {
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException(FIELD, "must not be empty");
        }
        requireWellFormed(password);
        String p = normalise(password);
        int length = p.codePointCount(0, p.length());
        if (length < MIN_LENGTH) {
            throw new InvalidInputException(FIELD, "must be at least " + MIN_LENGTH + " characters ("
                    + RECOMMENDED_LENGTH + " or more recommended); a phrase of a few unrelated words works well");
        }
        if (length > MAX_LENGTH) {
            throw new InvalidInputException(FIELD, "must be at most " + MAX_LENGTH + " characters");
        }
        if (minEntropyBits == 0) {
            return;
        }
        Result result = estimate(p, email, displayName);
        if (result.getEntropy() >= minEntropyBits) {
            return;
        }
        boolean usesOwnData = result.getMatches().stream()
                .anyMatch(m -> m instanceof DictionaryMatch d && USER_DATA.equals(d.getDictionaryName()));
        if (usesOwnData) {
            throw new InvalidInputException(FIELD,
                    "must not be based on your email address or display name; choose something unrelated to them");
        }
        throw new InvalidInputException(FIELD, "is too common or too easy to guess"
                + hint(result) + "; a longer phrase of a few unrelated words works well");
    }

    private static String hint(Result result) {
        try {
            String warning = result.getFeedback().getWarning();
            // nbvcxz warnings are generic sentences ("This is a top-100 common password.") and never quote the input
            return warning == null || warning.isBlank() ? "" : " (" + warning.strip().replaceAll("\\.$", "") + ")";
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static Result estimate(String password, String email, String displayName) {
        List<Dictionary> dictionaries = new ArrayList<>(BUNDLED.size() + 1);
        dictionaries.addAll(BUNDLED);
        Set<String> words = userWords(email, displayName);
        if (!words.isEmpty()) {
            DictionaryBuilder own = new DictionaryBuilder().setDictionaryName(USER_DATA).setExclusion(true);
            words.forEach(w -> own.addWord(w, 0));
            dictionaries.add(own.createDictionary());
        }
        var configuration = new ConfigurationBuilder()
                .setDictionaries(dictionaries)
                .setMinimumEntropy(DEFAULT_MIN_ENTROPY_BITS)
                .setMaxLength(ESTIMATE_LENGTH)
                .setLocale(Locale.ENGLISH)
                .createConfiguration();
        return new Nbvcxz(configuration).estimate(password);
    }

    /** The email, its parts and the display name and its words, lower case, 3+ characters each. */
    static Set<String> userWords(String email, String displayName) {
        Set<String> words = new LinkedHashSet<>();
        if (email != null && !email.isBlank()) {
            String e = email.strip().toLowerCase(Locale.ROOT);
            addWithParts(words, e);
            int at = e.indexOf('@');
            if (at > 0) {
                addWithParts(words, e.substring(0, at));
                addWithParts(words, e.substring(at + 1));
            }
        }
        if (displayName != null && !displayName.isBlank()) {
            addWithParts(words, normalise(displayName.strip()).toLowerCase(Locale.ROOT));
        }
        words.removeIf(w -> w.codePointCount(0, w.length()) < MIN_USER_WORD);
        return words;
    }

    private static void addWithParts(Set<String> words, String text) {
        words.add(text);
        String[] parts = text.split("[^\\p{L}\\p{N}]+");
        StringBuilder joined = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty()) {
                words.add(part);
                joined.append(part);
            }
        }
        words.add(joined.toString());
    }

    @Override
    public String toString() {
        return "PasswordPolicy[min=" + MIN_LENGTH + ", max=" + MAX_LENGTH + ", minEntropyBits=" + minEntropyBits + "]";
    }
}
