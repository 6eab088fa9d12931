package io.wxtoken.open;

import io.wxtoken.open.CallbackRejectedException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads WeChat's callback XML ({@code <xml><Name>value</Name>…</xml>}) into a map of the root's
 * text-only children (children with elements of their own are skipped), with the JDK's own
 * parser hardened: any DOCTYPE is an error (so no DTD, no internal or external entity, no billion
 * laughs), external DTDs and schemas are not fetched, XInclude is off, secure processing limits
 * apply, and nesting is at most 8 deep. Input size, element count and value length are bounded.
 *
 * <p>Thread-safe: the factory is configured once and only used under its lock; each parse gets
 * its own builder.
 */
final class CallbackXml {
  /** Larger bodies are refused before parsing; WeChat's callbacks are about 1 KiB. */
  static final int MAX_BYTES = 96 * 1024;
  private static final int MAX_ELEMENTS = 64;
  private static final String MAX_DEPTH = "8";

  private static final ErrorHandler STRICT = new ErrorHandler() {
    @Override
    public void warning(SAXParseException e) {
      // warnings do not make a document unusable
    }

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  };

  private final DocumentBuilderFactory factory;

  CallbackXml() {
    // The JDK's built-in parser, whatever else is on the class path.
    factory = DocumentBuilderFactory.newDefaultInstance();
    try {
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be hardened", e);
    }
    // Deep nesting is never WeChat's, and would only cost stack and time.
    factory.setAttribute("http://www.oracle.com/xml/jaxp/properties/maxElementDepth", MAX_DEPTH);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    factory.setNamespaceAware(false);
    factory.setValidating(false);
  }

  /**
   * @param maxValueChars the longest text any element may have
   * @return element name → its text, for the root's element children
   * @throws CallbackRejectedException {@link Reason#OVERSIZED} or {@link Reason#MALFORMED_XML}
   */
  Map<String, String> read(byte[] xml, int maxValueChars) {
    if (xml.length > MAX_BYTES) {
      throw new CallbackRejectedException(Reason.OVERSIZED);
    }
    Document document;
    try {
      DocumentBuilder builder;
      synchronized (factory) {
        builder = factory.newDocumentBuilder();
      }
      builder.setErrorHandler(STRICT);
      // Refuse to resolve anything: with DOCTYPEs disallowed this is never asked, belt and braces.
      builder.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("entities are not allowed");
      });
      document = builder.parse(new ByteArrayInputStream(xml));
    } catch (SAXException | IOException | ParserConfigurationException e) {
      // The parser's message may quote the input; it is not passed on.
      throw new CallbackRejectedException(Reason.MALFORMED_XML);
    }
    Element root = document.getDocumentElement();
    if (!"xml".equals(root.getTagName())) {
      throw new CallbackRejectedException(Reason.MALFORMED_XML);
    }
    Map<String, String> fields = new HashMap<>();
    for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child.getNodeType() == Node.TEXT_NODE && child.getNodeValue().isBlank()) {
        continue;
      }
      if (child.getNodeType() != Node.ELEMENT_NODE || fields.size() == MAX_ELEMENTS) {
        throw new CallbackRejectedException(Reason.MALFORMED_XML);
      }
      Element element = (Element) child;
      if (element.getElementsByTagName("*").getLength() != 0) {
        // The events read here are flat; others pushed to the same URL (e.g. fast-registration
        // results) nest their details, which are not read: the element is skipped.
        continue;
      }
      String text = element.getTextContent().strip();
      if (text.length() > maxValueChars) {
        throw new CallbackRejectedException(Reason.OVERSIZED);
      }
      if (fields.putIfAbsent(element.getTagName(), text) != null) {
        // A repeated element would let two readers see two different values.
        throw new CallbackRejectedException(Reason.MALFORMED_XML);
      }
    }
    return fields;
  }
}
