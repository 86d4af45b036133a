package io.eventhub.doctor;

import io.vertx.core.json.JsonObject;

/**
 * One thing the doctor found: how bad it is, a stable code scripts can match, where it is (a file and
 * line of the Apache configuration or a PEM file, or a URL for a live check), what is wrong and how
 * to fix it. {@code hop} names the part of the path that breaks, for live checks.
 */
public record Finding(Severity severity, String code, String file, int line, String message, String fix, String hop) {

  /** Most important first: the order of the report. {@code OK} is a live check that passed. */
  public enum Severity {
    ERROR, WARNING, NOTE, OK;

    /** The word the report prints: error, warning, note, ok. */
    public String label() {
      return name().toLowerCase();
    }
  }

  static Finding at(Severity severity, String code, Directive where, String message, String fix) {
    return new Finding(severity, code, where == null ? "" : where.file().toString(), where == null ? 0 : where.line(),
        message, fix, "");
  }

  static Finding live(Severity severity, String code, String url, String hop, String message, String fix) {
    return new Finding(severity, code, url, 0, message, fix, hop);
  }

  /** {@code file:line}, or the file (or URL) alone when there is no line. */
  public String location() {
    if (file.isEmpty()) {
      return "-";
    }
    return line > 0 ? file + ":" + line : file;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("severity", severity.label()).put("code", code).put("file", file);
    if (line > 0) {
      json.put("line", line);
    }
    json.put("message", message).put("fix", fix);
    if (!hop.isEmpty()) {
      json.put("hop", hop);
    }
    return json;
  }
}
