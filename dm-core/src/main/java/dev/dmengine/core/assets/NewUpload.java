package dev.dmengine.core.assets;

/**
 * What a player declares before uploading a file (the body of {@code POST /api/assets/presign}).
 * The key is never the player's to choose: the engine derives it.
 *
 * @param bucket      where the file goes; must be the bucket of the purpose
 * @param purpose     what the file is for, a purpose of the {@link AssetPolicy}
 * @param contentType the {@code Content-Type} the upload will carry, one the purpose allows
 * @param size        the exact number of bytes
 * @param sha256      the SHA-256 of the bytes, 64 hex digits
 */
public record NewUpload(String bucket, String purpose, String contentType, long size, String sha256) {
}
