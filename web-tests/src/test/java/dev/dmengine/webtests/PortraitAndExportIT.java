package dev.dmengine.webtests;

/**
 * Portraits and exports on the embedded profile: no S3 anywhere, the server stores the files in
 * local folders and answers the upload and download URLs it signs (same origin as the pages).
 */
class PortraitAndExportIT extends AssetsBrowserCases {

    @Override
    String shots() {
        return "assets-embedded-";
    }
}
