package io.eventhub.auth;

import io.eventhub.config.HubConfig.DataFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PhpSessionTest {

  static Map<String, Object> php(String data) {
    return PhpSession.decode(data.getBytes(StandardCharsets.UTF_8), DataFormat.PHP);
  }

  @Test
  @DisplayName("the php handler: name|value pairs of every scalar type")
  void phpHandler() {
    Map<String, Object> session = php("user_id|i:42;name|s:6:\"Zoë B\";admin|b:1;score|d:0.5;none|N;");
    assertEquals(42L, session.get("user_id"));
    assertEquals("Zoë B", session.get("name"), "string lengths count UTF-8 bytes");
    assertEquals(true, session.get("admin"));
    assertEquals(0.5, session.get("score"));
    assertNull(session.get("none"));
  }

  @Test
  @DisplayName("php_serialize: one array, nested arrays and objects reached by a dotted path")
  void phpSerialize() {
    String data = "a:2:{s:7:\"user_id\";s:2:\"55\";s:4:\"auth\";a:1:{s:4:\"user\";O:8:\"stdClass\":2:{"
        + "s:2:\"id\";i:9;s:12:\"\0*\0protected\";s:1:\"p\";}}}";
    Map<String, Object> session = PhpSession.decode(data.getBytes(StandardCharsets.UTF_8), DataFormat.PHP_SERIALIZE);
    assertEquals("55", PhpSession.lookup(session, "user_id"));
    assertEquals(9L, PhpSession.lookup(session, "auth.user.id"));
    assertEquals("p", PhpSession.lookup(session, "auth.user.protected"), "NUL markers of protected properties dropped");
    assertNull(PhpSession.lookup(session, "auth.missing.id"));
  }

  @Test
  @DisplayName("Symfony's attribute bag under _sf2_attributes")
  void symfonyAttributes() {
    Map<String, Object> session = php("_sf2_attributes|a:1:{s:7:\"user_id\";i:42;}_sf2_meta|a:3:{s:1:\"u\";i:1700000000;s:1:\"c\";i:1700000000;s:1:\"l\";i:0;}");
    assertEquals(42L, PhpSession.lookup(session, "_sf2_attributes.user_id"));
  }

  @Test
  @DisplayName("truncated or foreign data is an error, never a guess")
  void brokenData() {
    assertThrows(IllegalArgumentException.class, () -> php("user_id|s:10:\"short\";"));
    assertThrows(IllegalArgumentException.class, () -> php("user_id|x:1;"));
    assertThrows(IllegalArgumentException.class, () -> php("user_id"));
    assertThrows(IllegalArgumentException.class,
        () -> PhpSession.decode("i:5;".getBytes(StandardCharsets.UTF_8), DataFormat.PHP_SERIALIZE));
  }
}
