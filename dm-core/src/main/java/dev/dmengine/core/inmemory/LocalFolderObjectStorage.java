package dev.dmengine.core.inmemory;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectKeys;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;

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
import java.net.URLEncoder;
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

/**
 * Objects as files under a directory, reached through URLs the host serves: the store of the
 * embedded profile, which needs no S3 server.
 *
 * <p>An upload URL is
 * {@code {baseUrl}/objects/{key}?method=PUT&expires=…&type=…&length=…&sha256=…&sig=…}, a download
 * URL {@code {baseUrl}/objects/{key}?method=GET&expires=…&sig=…}; {@code sig} is an HMAC-SHA256
 * over the method, key, expiry (Unix seconds) and, for an upload, the declared content type,
 * length and SHA-256. The host routes {@link #objectsPath()} to {@link #accept} (PUT) and
 * {@link #open} (GET). {@code accept} refuses a URL that is not genuine or has expired
 * ({@link PermissionDeniedException}), and a request whose {@code Content-Type}, length or
 * SHA-256 differs from the signed ones ({@link InvalidInputException}), storing nothing; so
 * {@link #capabilities()} claims everything and {@link #stat} reports the checked SHA-256.
 *
 * <p>On disk each object is two files named after the SHA-256 of its key (so that keys such
 * as {@code a} and {@code a/b} coexist and no key can name a path): the bytes, and a small
 * properties file with the key, content type, size and SHA-256. Uploads go to a temporary file
 * first and are moved into place, so readers never see half an object.
 */
public final class LocalFolderObjectStorage implements ObjectStorage {

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
     * @param baseUrl    the host's public URL, e.g. {@code http://localhost:8080}, or a path on
     *                   it, e.g. {@code /files}, for URLs relative to whatever host the client
     *                   called (a browser page on that host, an API client resolving them
     *                   against the base URL it used)
     * @param signingKey secret of at least 32 bytes for the URL signatures
     */
    public LocalFolderObjectStorage(Path root, URI baseUrl, String bucket, byte[] signingKey, Clock clock) {
        Checks.notNull(root, "root");
        Checks.notNull(baseUrl, "baseUrl");
        Checks.notBlank(bucket, "bucket");
        Checks.notNull(signingKey, "signingKey");
        this.clock = Checks.notNull(clock, "clock");
        boolean absolute = baseUrl.isAbsolute() && baseUrl.getRawAuthority() != null;
        boolean hostRelative = baseUrl.getScheme() == null && baseUrl.getRawAuthority() == null
                && baseUrl.getRawPath() != null && baseUrl.getRawPath().startsWith("/");
        if (!(absolute || hostRelative) || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl must be an absolute URL, or a path from the host's root, "
                    + "without query or fragment: " + baseUrl);
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

    /** The path under which the host serves the URLs (PUT to {@link #accept}, GET to {@link #open}). */
    public String objectsPath() {
        return objectsPath;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.ALL;
    }

    @Override
    public PresignedRequest presignPut(PutRequest request) {
        Checks.notNull(request, "request");
        long expires = expiry(request.requestedTtl().orElse(DEFAULT_PUT_TTL));
        Upload upload = new Upload(request.key(), expires, request.contentType(), request.contentLength(),
                request.sha256());
        URI url = URI.create(baseUrl + "/objects/" + upload.key + "?method=PUT&expires=" + expires
                + "&type=" + URLEncoder.encode(upload.contentType, StandardCharsets.UTF_8)
                + "&length=" + upload.length + "&sha256=" + upload.sha256 + "&sig=" + sign(upload.payload()));
        return new PresignedRequest("PUT", url, Map.of("Content-Type", request.contentType()),
                Instant.ofEpochSecond(expires));
    }

    @Override
    public PresignedRequest presignGet(String key, Duration ttl) {
        ObjectKeys.check(key);
        long expires = expiry(PresignedRequest.checkTtl(ttl));
        URI url = URI.create(baseUrl + "/objects/" + key + "?method=GET&expires=" + expires + "&sig="
                + sign(getPayload(key, expires)));
        return new PresignedRequest("GET", url, Map.of(), Instant.ofEpochSecond(expires));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        ObjectKeys.check(key);
        lock.readLock().lock();
        try {
            return readInfo(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public InputStream read(String key, long maxBytes) {
        ObjectKeys.check(key);
        lock.readLock().lock();
        try {
            ObjectInfo info = readInfo(key).orElseThrow(() -> new NotFoundException("object", key));
            if (info.size() > maxBytes) {
                throw new InvalidInputException("size", "the object is " + info.size() + " bytes, more than the "
                        + maxBytes + " allowed");
            }
            return Files.newInputStream(dataFile(key));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("object", key);
        } catch (IOException e) {
            throw new UnavailableException("cannot read object " + key, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean delete(String key) {
        ObjectKeys.check(key);
        lock.writeLock().lock();
        try {
            boolean existed = Files.deleteIfExists(dataFile(key));
            Files.deleteIfExists(metaFile(key));
            return existed;
        } catch (IOException e) {
            throw new UnavailableException("cannot delete object " + key, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Stores the body of a PUT to an upload URL, as the host received it.
     *
     * @param url         the request's path and query as the client sent them (an absolute URL also works)
     * @param contentType the request's {@code Content-Type} header
     * @throws PermissionDeniedException the URL is not a genuine, unexpired upload URL of this storage
     * @throws InvalidInputException     the content type, length or SHA-256 of the request is not the
     *                                   signed one; nothing is stored
     */
    public ObjectInfo accept(URI url, String contentType, InputStream body) {
        Checks.notNull(body, "body");
        Upload upload = genuineUpload(parse(url));
        if (contentType == null || !contentType.equals(upload.contentType)) {
            throw new InvalidInputException("contentType", "must be " + upload.contentType
                    + ", the type this upload was signed for");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(root, "upload-", ".tmp");
            String sha256 = copyExactly(body, tmp, upload.length);
            if (!sha256.equals(upload.sha256)) {
                throw new InvalidInputException("body", "does not match the SHA-256 this upload was signed for");
            }
            ObjectInfo info = new ObjectInfo(upload.key, upload.length, contentType, sha256,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), sha256);
            publish(tmp, info);
            tmp = null;
            return info;
        } catch (IOException e) {
            throw new UnavailableException("cannot store object " + upload.key, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Opens the object a download URL names, as the host received it.
     *
     * @param url the request's path and query as the client sent them (an absolute URL also works)
     * @throws PermissionDeniedException the URL is not a genuine, unexpired download URL of this storage
     * @throws NotFoundException         there is no such object
     */
    public Download open(URI url) {
        Map<String, String> q = parse(url);
        String key = q.get("key");
        long expires = number(q.get("expires"));
        if (!"GET".equals(q.get("method")) || !genuine(getPayload(key, expires), expires, q.get("sig"))) {
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

    // ---------------------------------------------------------------- signing

    /** What an upload URL was signed for. */
    private record Upload(String key, long expires, String contentType, long length, String sha256) {
        String payload() {
            return "v2\nPUT\n" + key + "\n" + expires + "\n" + contentType + "\n" + length + "\n" + sha256;
        }
    }

    private static String getPayload(String key, long expires) {
        return "v2\nGET\n" + key + "\n" + expires;
    }

    private Upload genuineUpload(Map<String, String> q) {
        long expires = number(q.get("expires"));
        long length = number(q.get("length"));
        String type = q.get("type");
        String sha256 = q.get("sha256");
        if (!"PUT".equals(q.get("method")) || type == null || sha256 == null || length < 1) {
            throw new PermissionDeniedException("the upload URL is invalid or has expired");
        }
        Upload upload = new Upload(q.get("key"), expires, type, length, sha256);
        if (!genuine(upload.payload(), expires, q.get("sig"))) {
            throw new PermissionDeniedException("the upload URL is invalid or has expired");
        }
        return upload;
    }

    private boolean genuine(String payload, long expires, String sig) {
        if (sig == null || expires < 0) {
            return false;
        }
        byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII))
                && clock.instant().isBefore(Instant.ofEpochSecond(expires));
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(signingKey);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** The URL's key and query parameters; refused unless it is under {@link #objectsPath()} with a valid key. */
    private Map<String, String> parse(URI url) {
        Checks.notNull(url, "url");
        String path = url.getRawPath();
        if (path == null || !path.startsWith(objectsPath) || url.getRawQuery() == null) {
            throw new PermissionDeniedException("not a URL of this object storage");
        }
        String key = path.substring(objectsPath.length());
        if (!ObjectKeys.isValid(key)) {
            throw new PermissionDeniedException("not a URL of this object storage");
        }
        Map<String, String> q = new HashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        q.put("key", key);
        return q;
    }

    private static long number(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private long expiry(Duration ttl) {
        PresignedRequest.checkTtl(ttl);
        Instant at = clock.instant().plus(ttl);
        return at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0); // round up: never shorter than asked
    }

    // ---------------------------------------------------------------- files

    /** Copies exactly {@code length} bytes to the file and returns their SHA-256; refuses any other length. */
    private static String copyExactly(InputStream body, Path file, long length) throws IOException {
        MessageDigest sha = sha256();
        long size = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = body.read(buf, 0, (int) Math.min(buf.length, length + 1 - size))) > 0) {
                size += n;
                if (size > length) {
                    throw new InvalidInputException("body", "is longer than the " + length
                            + " bytes this upload was signed for");
                }
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        if (size < length) {
            throw new InvalidInputException("body", "is " + size + " bytes; this upload was signed for exactly "
                    + length);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private void publish(Path data, ObjectInfo info) throws IOException {
        Path metaTmp = Files.createTempFile(root, "meta-", ".tmp");
        try {
            writeMeta(metaTmp, info);
            lock.writeLock().lock();
            try {
                move(data, dataFile(info.key()));
                move(metaTmp, metaFile(info.key()));
                metaTmp = null;
            } finally {
                lock.writeLock().unlock();
            }
        } finally {
            deleteQuietly(metaTmp);
        }
    }

    private Path dataFile(String key) {
        return root.resolve(hash(key) + ".bin");
    }

    private Path metaFile(String key) {
        return root.resolve(hash(key) + ".properties");
    }

    private static String hash(String key) {
        return HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
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
        // files written before the sha256 property kept the SHA-256 as their ETag
        String sha256 = p.getProperty("sha256", p.getProperty("etag"));
        return Optional.of(new ObjectInfo(key, Long.parseLong(p.getProperty("size")), p.getProperty("contentType"),
                p.getProperty("etag"), Instant.ofEpochMilli(Long.parseLong(p.getProperty("lastModified"))),
                PutRequest.isSha256Hex(sha256) ? sha256 : null));
    }

    private static void writeMeta(Path file, ObjectInfo info) throws IOException {
        Properties p = new Properties();
        p.setProperty("key", info.key());
        p.setProperty("size", Long.toString(info.size()));
        p.setProperty("contentType", info.contentType());
        p.setProperty("etag", info.etag());
        p.setProperty("sha256", info.sha256());
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

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stray temporary file; the next upload is unaffected
            }
        }
    }
}
