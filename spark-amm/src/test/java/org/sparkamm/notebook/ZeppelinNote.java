package org.sparkamm.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Zeppelin note ({@code .zpln}, Zeppelin 0.9+ JSON: {@code {"paragraphs": [{"title", "text",
 * "config", ...}], "name", "id", "defaultInterpreterGroup", "config", "info"}}) as the ordered list
 * of its paragraphs. A paragraph's interpreter is the {@code %name} on the first line of its text,
 * as Zeppelin reads it; without one, the note's default interpreter group (its main interpreter).
 */
record ZeppelinNote(String name, List<Paragraph> paragraphs) {
  /** One paragraph: its 0-based position in the note, title, interpreter (without %) and code. */
  record Paragraph(int index, String title, String interpreter, String code) {
    /** How failures name it: position, title where there is one, interpreter. */
    String label() {
      return "paragraph " + index + (title.isEmpty() ? "" : " \"" + title + "\"") + " (%" + interpreter + ")";
    }
  }

  static ZeppelinNote read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    JsonNode list = root == null ? null : root.get("paragraphs");
    if (list == null || !list.isArray()) {
      throw new IOException(file + " is not a Zeppelin note: no \"paragraphs\" array");
    }
    String defaultGroup = root.path("defaultInterpreterGroup").asText("spark");
    List<Paragraph> paragraphs = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String text = list.get(i).path("text").asText("");
      String interpreter = defaultGroup;
      String code = text;
      if (text.startsWith("%")) {
        int end = 1;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
          end++;
        }
        interpreter = text.substring(1, end);
        code = text.substring(end);
      }
      paragraphs.add(new Paragraph(i, list.get(i).path("title").asText(""), interpreter, code));
    }
    return new ZeppelinNote(root.path("name").asText(""), paragraphs);
  }
}
