import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import java.nio.file.*;
import java.time.*;
import java.time.format.DateTimeFormatter;
import java.util.*;

public class Golden {
  static String esc(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
  public static void main(String[] args) throws Exception {
    List<String> lines = Files.readAllLines(Paths.get(args[0]));
    JsonWriterSettings strict = JsonWriterSettings.builder().outputMode(JsonMode.STRICT).build();
    JsonWriterSettings relaxed = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
    JsonWriterSettings extended = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    JsonWriterSettings simplified = JsonWriterSettings.builder()
        .outputMode(JsonMode.RELAXED)
        .binaryConverter((value, writer) -> writer.writeString(Base64.getEncoder().encodeToString(value.getData())))
        .dateTimeConverter((value, writer) -> {
              ZonedDateTime zonedDateTime = Instant.ofEpochMilli(value).atZone(ZoneOffset.UTC);
              writer.writeString(DateTimeFormatter.ISO_DATE_TIME.format(zonedDateTime));
            })
        .decimal128Converter((value, writer) -> writer.writeString(value.toString()))
        .objectIdConverter((value, writer) -> writer.writeString(value.toHexString()))
        .symbolConverter((value, writer) -> writer.writeString(value))
        .build();
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      BsonDocument d = BsonDocument.parse(line);
      out.append("{\"input\": ").append(esc(line))
         .append(", \"strict\": ").append(esc(d.toJson(strict)))
         .append(", \"relaxed\": ").append(esc(d.toJson(relaxed)))
         .append(", \"extended\": ").append(esc(d.toJson(extended)))
         .append(", \"simplified\": ").append(esc(d.toJson(simplified)))
         .append("}").append(i < lines.size() - 1 ? ",\n" : "\n");
    }
    out.append("]\n");
    System.out.print(out);
  }
}
