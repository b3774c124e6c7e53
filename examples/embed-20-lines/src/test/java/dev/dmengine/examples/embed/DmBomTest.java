package dev.dmengine.examples.embed;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The BOM an application imports names every published module of this build, at the build's version. */
class DmBomTest {

    private static final Path ROOT = Path.of("../..");

    @Test
    void the_bom_manages_every_dm_module_of_the_build_at_its_version() throws Exception {
        Document root = parse(ROOT.resolve("pom.xml"));
        Document bom = parse(ROOT.resolve("dm-bom/pom.xml"));

        List<String> published = new ArrayList<>();
        for (String module : texts(root.getDocumentElement(), "module")) {
            if (module.startsWith("dm-") && !module.equals("dm-bom")) {
                published.add(module);
            }
        }
        List<String> managed = texts(bom.getDocumentElement(), "artifactId");
        String buildVersion = childText(root.getDocumentElement(), "version");

        assertThat(published).isNotEmpty();
        assertThat(managed).containsAll(published);
        assertThat(childText(bom.getDocumentElement(), "version")).isEqualTo(buildVersion);
        assertThat(bom.getDocumentElement().getElementsByTagName("parent").getLength())
                .as("no parent: an import would carry its third-party versions into the application").isZero();
    }

    private static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static List<String> texts(Element in, String tag) {
        NodeList nodes = in.getElementsByTagName(tag);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getTextContent().strip());
        }
        return values;
    }

    private static String childText(Element in, String tag) {
        for (var n = in.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().strip();
            }
        }
        throw new AssertionError("no <" + tag + "> in " + in.getTagName());
    }
}
