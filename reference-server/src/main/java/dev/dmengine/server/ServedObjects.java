package dev.dmengine.server;

import dev.dmengine.core.inmemory.LocalFolderObjectStorage;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.objects.ObjectInfo;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;

/**
 * The object store of the embedded profile: the server itself answers the URLs its local
 * folders sign, {@code PUT} and {@code GET /files/<bucket>/objects/<key>?…&sig=…}. The signature
 * is the only credential (no cookie or token is read, so no CSRF check applies); an upload is
 * refused before its body is read when the URL is not genuine or has expired (403), and while it
 * is read when its content type, length or SHA-256 is not the signed one (400 naming
 * {@code contentType} or {@code body}); nothing is stored then. These routes are the store's, not
 * the API's: they are not in the route table or {@code /openapi}, as an S3 store's are not.
 */
final class ServedObjects {

    private static final Logger LOG = LoggerFactory.getLogger(ServedObjects.class);

    private final List<LocalFolderObjectStorage> folders;

    ServedObjects(List<LocalFolderObjectStorage> folders) {
        this.folders = List.copyOf(folders);
    }

    /** Routes each folder's objects path; before the API's routes and their catch-all 404. */
    void install(HttpRouting.Builder http) {
        for (LocalFolderObjectStorage folder : folders) {
            String pattern = folder.objectsPath() + "*";
            http.route(Method.PUT, pattern, (req, res) -> put(folder, req, res));
            http.route(Method.GET, pattern, (req, res) -> get(folder, req, res));
        }
    }

    /** The request's path and query as the client sent them; what the signature was made over. */
    private static URI asSent(ServerRequest req) {
        String query = req.query().rawValue();
        try {
            return URI.create(req.path().rawPath() + (query == null || query.isEmpty() ? "" : "?" + query));
        } catch (IllegalArgumentException e) {
            throw new PermissionDeniedException("not a URL of this object storage");
        }
    }

    @SuppressWarnings("try") // the phase is held by the try, not used in it
    private static void put(LocalFolderObjectStorage folder, ServerRequest req, ServerResponse res) {
        URI url = asSent(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        ObjectInfo stored;
        try (ConnectionGuard.Phasing reading = ConnectionGuard.readingBody();
             InputStream body = req.content().inputStream()) {
            stored = folder.accept(url, contentType, body);
        } catch (RequestException e) {
            throw e;
        } catch (IOException | UncheckedIOException | CloseConnectionException
                 | DataReader.InsufficientDataAvailableException e) {
            boolean cutOff = ConnectionGuard.current().map(g -> g.timedOut).orElse(false);
            if (cutOff) {
                Thread.interrupted(); // the guard interrupted this thread to close the connection
            }
            RequestInfo.markAborted(req, cutOff ? 408 : 499);
            LOG.debug("request {}: upload ended early ({})", RequestInfo.id(req), e.toString());
            throw new CloseConnectionException("the upload ended before its body did", e);
        }
        res.header(HeaderNames.ETAG, "\"" + stored.sha256() + "\"");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.OK_200).send();
    }

    private static void get(LocalFolderObjectStorage folder, ServerRequest req, ServerResponse res) {
        LocalFolderObjectStorage.Download d = folder.open(asSent(req));
        try (InputStream in = d.body()) {
            res.header(HeaderNames.CONTENT_TYPE, d.info().contentType());
            res.header(HeaderNames.ETAG, "\"" + d.info().sha256() + "\"");
            // the URL itself expires within minutes; the browser may keep what it fetched with it
            res.header(HeaderNames.CACHE_CONTROL, "private, max-age=300");
            res.contentLength(d.info().size());
            try (OutputStream out = res.outputStream()) {
                in.transferTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send object " + d.info().key(), e);
        }
    }
}
