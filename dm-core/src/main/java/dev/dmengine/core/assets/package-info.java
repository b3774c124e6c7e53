/**
 * Players' files (seed flow B) on the {@code AssetStore} and {@code ObjectStorage} ports: the
 * {@link dev.dmengine.core.assets.AssetPolicy} of what may be uploaded where, and the
 * {@link dev.dmengine.core.assets.AssetService} that declares, signs, verifies, serves and cleans
 * up uploads whose bytes travel between the browser and the store only.
 */
package dev.dmengine.core.assets;
