package dev.dmengine.core.memory;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * Objects as files under a directory, reached through URLs the host serves.
 *
 * <p>A pre-signed URL is {@code {baseUrl}/objects/{key}?method=PUT&expires=…&max=…&sig=…}
 * (GET URLs carry no {@code max}); {@code sig} is an HMAC-SHA256 over the method, key, expiry
 * (Unix seconds) and size limit. The host routes {@code /objects/**} to {@link #accept} (PUT)
 * and {@link #open} (GET), which check the signature and expiry and answer
 * {@link PermissionDeniedException} otherwise.
 *
 * <p>On disk each object is two files named after the SHA-256 of its key (so that keys such
 * as {@code a} and {@code a/b} coexist and no key can name a path): the bytes, and a small
 * properties file with the key, content type, size and ETag. Uploads go to a temporary file
 * first and are moved into place, so readers never see half an object.
 */
public final class LocalFolderObjectStorage implements ObjectStorage {

    public static final int MAX_KEY_LENGTH = 512;
    public static final Duration MAX_TTL = Duration.ofDays(7);
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9/._-]{1," + MAX_KEY_LENGTH + "}");
    private static final String HMAC = "HmacSHA256";

    /** An object opened for reading: what it is and its bytes (close the stream). */
    public record Download(ObjectInfo info, InputStream body) {
    }

    private final Path root;
    private final URI baseUrl;
    private final String objectsPath;
    private final String bucket;
    private final SecretKeySpec signingKey;
    private final Clock clock;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /**
     * @param root       the directory that holds the objects; created if missing
     * @param baseUrl    the host's public URL, e.g. {@code http://localhost:8080}
     * @param signingKey secret of at least 32 bytes for the URL signatures
     */
    public LocalFolderObjectStorage(Path root, URI baseUrl, String bucket, byte[] signingKey, Clock clock) {
        Checks.notNull(root, "root");
        Checks.notNull(baseUrl, "baseUrl");
        Checks.notBlank(bucket, "bucket");
        Checks.notNull(signingKey, "signingKey");
        this.clock = Checks.notNull(clock, "clock");
        if (!baseUrl.isAbsolute() || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl must be an absolute URL without query or fragment: " + baseUrl);
        }
        if (signingKey.length < 32) {
            throw new IllegalArgumentException("signingKey must be at least 32 bytes, was " + signingKey.length);
        }
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.objectsPath = Optional.ofNullable(this.baseUrl.getRawPath()).orElse("") + "/objects/";
        this.bucket = bucket;
        this.signingKey = new SecretKeySpec(signingKey.clone(), HMAC);
        try {
            this.root = Files.createDirectories(root.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the object folder " + root, e);
        }
    }

    @Override
    public String bucket() {
        return bucket;
    }

    /** The directory that holds the objects. */
    public Path root() {
        return root;
    }

    @Override
    public PresignedRequest presignPut(String key, String contentType, long maxBytes, Duration ttl) {
        checkKey(key);
        checkContentType(contentType);
        if (maxBytes < 1) {
            throw new InvalidInputException("maxBytes", "must be at least 1, was " + maxBytes);
        }
        long expires = expiry(ttl);
        String sig = sign("PUT", key, expires, maxBytes);
        URI url = URI.create(baseUrl + "/objects/" + key + "?method=PUT&expires=" + expires + "&max=" + maxBytes
                + "&sig=" + sig);
        return new PresignedRequest("PUT", url, Map.of("Content-Type", contentType), Instant.ofEpochSecond(expires));
    }

    @Override
    public PresignedRequest presignGet(String key, Duration ttl) {
        checkKey(key);
        long expires = expiry(ttl);
        String sig = sign("GET", key, expires, -1);
        URI url = URI.create(baseUrl + "/objects/" + key + "?method=GET&expires=" + expires + "&sig=" + sig);
        return new PresignedRequest("GET", url, Map.of(), Instant.ofEpochSecond(expires));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        checkKey(key);
        lock.readLock().lock();
        try {
            return readInfo(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean delete(String key) {
        checkKey(key);
        lock.writeLock().lock();
        try {
            Path data = dataFile(key);
            boolean existed = Files.deleteIfExists(data);
            Files.deleteIfExists(metaFile(key));
            return existed;
        } catch (IOException e) {
            throw new UnavailableException("cannot delete object " + key, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether a GET URL's parameters are genuine and unexpired. */
    public boolean verify(String method, String key, long expires, String sig) {
        return verify(method, key, expires, -1, sig);
    }

    /**
     * Whether a URL's parameters are genuine and unexpired.
     *
     * @param maxBytes the URL's {@code max} parameter, or -1 when it has none (GET)
     */
    public boolean verify(String method, String key, long expires, long maxBytes, String sig) {
        if (method == null || key == null || sig == null || !isValidKey(key)) {
            return false;
        }
        byte[] expected = sign(method, key, expires, maxBytes).getBytes(StandardCharsets.US_ASCII);
        boolean genuine = MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII));
        return genuine && clock.instant().isBefore(Instant.ofEpochSecond(expires));
    }

    /** Stores the body of a pre-signed PUT; see {@link #accept(URI, InputStream, String)}. */
    public ObjectInfo accept(PresignedRequest put, InputStream body, String contentType) {
        Checks.notNull(put, "put");
        return accept(put.url(), body, contentType);
    }

    /**
     * Stores the body sent to a pre-signed PUT URL (path and query as the client sent them).
     *
     * @throws PermissionDeniedException the URL is not a genuine, unexpired PUT URL
     * @throws InvalidInputException     the body is larger than the URL allows, or the content type is bad
     */
    public ObjectInfo accept(URI url, InputStream body, String contentType) {
        Signed s = parse(url);
        return accept(s.key, s.method, s.expires, s.maxBytes, s.sig, body, contentType);
    }

    /**
     * Stores the body of a PUT whose parameters the host has already taken apart.
     *
     * @param method the request's {@code method} parameter
     * @param maxBytes the request's {@code max} parameter
     */
    public ObjectInfo accept(String key, String method, long expires, long maxBytes, String sig, InputStream body,
                             String contentType) {
        Checks.notNull(body, "body");
        if (!"PUT".equals(method) || maxBytes < 1 || !verify("PUT", key, expires, maxBytes, sig)) {
            throw new PermissionDeniedException("the upload URL is invalid or has expired");
        }
        checkContentType(contentType);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(root, "upload-", ".tmp");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size = 0;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[16 * 1024];
                int n;
                while ((n = body.read(buf)) != -1) {
                    size += n;
                    if (size > maxBytes) {
                        throw new InvalidInputException("body", "is larger than the " + maxBytes
                                + " bytes this upload allows");
                    }
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            ObjectInfo info = new ObjectInfo(key, size, contentType, HexFormat.of().formatHex(sha.digest()),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS));
            Path metaTmp = Files.createTempFile(root, "meta-", ".tmp");
            writeMeta(metaTmp, info);
            lock.writeLock().lock();
            try {
                move(tmp, dataFile(key));
                tmp = null;
                move(metaTmp, metaFile(key));
            } finally {
                lock.writeLock().unlock();
            }
            return info;
        } catch (IOException e) {
            throw new UnavailableException("cannot store object " + key, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file; the next upload is unaffected
                }
            }
        }
    }

    /**
     * Opens the object a pre-signed GET URL names.
     *
     * @throws PermissionDeniedException the URL is not a genuine, unexpired GET URL
     * @throws NotFoundException         there is no such object
     */
    public Download open(URI url) {
        Signed s = parse(url);
        return open(s.key, s.method, s.expires, s.sig);
    }

    /** Opens the object of a GET whose parameters the host has already taken apart. */
    public Download open(String key, String method, long expires, String sig) {
        if (!"GET".equals(method) || !verify("GET", key, expires, sig)) {
            throw new PermissionDeniedException("the download URL is invalid or has expired");
        }
        lock.readLock().lock();
        try {
            ObjectInfo info = readInfo(key).orElseThrow(() -> new NotFoundException("object", key));
            return new Download(info, Files.newInputStream(dataFile(key)));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("object", key);
        } catch (IOException e) {
            throw new UnavailableException("cannot read object " + key, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private record Signed(String key, String method, long expires, long maxBytes, String sig) {
    }

    private Signed parse(URI url) {
        Checks.notNull(url, "url");
        String path = url.getRawPath();
        if (path == null || !path.startsWith(objectsPath) || url.getRawQuery() == null) {
            throw new PermissionDeniedException("not a URL of this object storage");
        }
        String key = path.substring(objectsPath.length());
        Map<String, String> q = new HashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        try {
            long expires = Long.parseLong(q.getOrDefault("expires", ""));
            long max = q.containsKey("max") ? Long.parseLong(q.get("max")) : -1;
            return new Signed(key, q.get("method"), expires, max, q.get("sig"));
        } catch (NumberFormatException e) {
            throw new PermissionDeniedException("not a URL of this object storage");
        }
    }

    private long expiry(Duration ttl) {
        Checks.positive(ttl, "ttl");
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl must be at most " + MAX_TTL + ", was " + ttl);
        }
        Instant at = clock.instant().plus(ttl);
        return at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0); // round up: never shorter than asked
    }

    private String sign(String method, String key, long expires, long maxBytes) {
        String payload = "v1\n" + method + "\n" + key + "\n" + expires + "\n" + (maxBytes < 0 ? "-" : maxBytes);
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(signingKey);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    static boolean isValidKey(String key) {
        return key != null && KEY.matcher(key).matches() && !key.contains("..");
    }

    private static void checkKey(String key) {
        if (key == null) {
            throw new InvalidInputException("key", "is required");
        }
        if (!isValidKey(key)) {
            throw new InvalidInputException("key", "must be 1 to " + MAX_KEY_LENGTH
                    + " characters of A-Z a-z 0-9 / . _ - without \"..\"");
        }
    }

    private static void checkContentType(String contentType) {
        if (contentType == null || contentType.isBlank() || contentType.length() > 255
                || !contentType.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new InvalidInputException("contentType", "must be 1 to 255 printable ASCII characters");
        }
    }

    private Path dataFile(String key) {
        return root.resolve(hash(key) + ".bin");
    }

    private Path metaFile(String key) {
        return root.resolve(hash(key) + ".properties");
    }

    private static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<ObjectInfo> readInfo(String key) {
        Path meta = metaFile(key);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UnavailableException("cannot read object metadata of " + key, e);
        }
        if (!key.equals(p.getProperty("key")) || !Files.exists(dataFile(key))) {
            return Optional.empty();
        }
        return Optional.of(new ObjectInfo(key, Long.parseLong(p.getProperty("size")), p.getProperty("contentType"),
                p.getProperty("etag"), Instant.ofEpochMilli(Long.parseLong(p.getProperty("lastModified")))));
    }

    private static void writeMeta(Path file, ObjectInfo info) throws IOException {
        Properties p = new Properties();
        p.setProperty("key", info.key());
        p.setProperty("size", Long.toString(info.size()));
        p.setProperty("contentType", info.contentType());
        p.setProperty("etag", info.etag());
        p.setProperty("lastModified", Long.toString(info.lastModified().toEpochMilli()));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
