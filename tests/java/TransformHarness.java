import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Test oracle for genesis-worker: reads one JSON case per line on stdin, runs it through the real Apache
 * Kafka Connect classes (transforms, predicates, JsonConverter, SimpleHeaderConverter) and prints one JSON
 * result per line. Records' keys, values and headers travel as JsonConverter envelopes
 * ({"schema":..., "payload":...}), read and written by a reference JsonConverter.
 */
public class TransformHarness {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final JsonConverter REF = new JsonConverter();

    public static void main(String[] args) throws Exception {
        Map<String, Object> refConf = new HashMap<>();
        refConf.put("schemas.enable", "true");
        refConf.put("replace.null.with.default", "false");
        refConf.put("decimal.format", "NUMERIC");
        REF.configure(refConf, false);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            JsonNode c = MAPPER.readTree(line);
            ObjectNode result;
            try {
                result = run(c);
            } catch (Throwable t) {
                result = error(t);
            }
            out.println(MAPPER.writeValueAsString(result));
        }
    }

    static ObjectNode error(Throwable t) {
        ObjectNode r = F.objectNode();
        r.put("error", t.getClass().getSimpleName());
        r.put("message", t.getMessage());
        return r;
    }

    static Map<String, Object> conf(JsonNode c) {
        Map<String, Object> m = new HashMap<>();
        JsonNode cfg = c.get("config");
        if (cfg != null) {
            Iterator<Map.Entry<String, JsonNode>> it = cfg.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
            }
        }
        return m;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static ObjectNode run(JsonNode c) throws Exception {
        String kind = c.get("kind").asText();
        ObjectNode r = F.objectNode();
        switch (kind) {
            case "transform": {
                Transformation t = (Transformation) Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                t.configure(conf(c));
                ArrayNode outs = F.arrayNode();
                for (JsonNode rec : c.get("records")) {
                    try {
                        ConnectRecord res = t.apply(record(rec));
                        if (res == null) {
                            ObjectNode d = F.objectNode();
                            d.put("dropped", true);
                            outs.add(d);
                        } else {
                            outs.add(recordJson(res));
                        }
                    } catch (Throwable e) {
                        outs.add(error(e));
                    }
                }
                r.set("results", outs);
                t.close();
                return r;
            }
            case "predicate": {
                Predicate p = (Predicate) Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                p.configure(conf(c));
                ArrayNode outs = F.arrayNode();
                for (JsonNode rec : c.get("records")) outs.add(p.test(record(rec)));
                r.set("results", outs);
                return r;
            }
            case "json_from": {
                JsonConverter conv = new JsonConverter();
                conv.configure(conf(c), c.path("is_key").asBoolean(false));
                SchemaAndValue sv = parse(c.get("data"));
                byte[] b = conv.fromConnectData("topic", sv.schema(), sv.value());
                r.put("bytes", b == null ? null : new String(b, StandardCharsets.UTF_8));
                return r;
            }
            case "json_to": {
                JsonConverter conv = new JsonConverter();
                conv.configure(conf(c), c.path("is_key").asBoolean(false));
                JsonNode b = c.get("bytes");
                SchemaAndValue sv = conv.toConnectData("topic", b.isNull() ? null : b.asText().getBytes(StandardCharsets.UTF_8));
                r.set("data", envelope(sv.schema(), sv.value()));
                return r;
            }
            case "header_to": {
                SimpleHeaderConverter conv = new SimpleHeaderConverter();
                conv.configure(conf(c));
                JsonNode b = c.get("bytes");
                SchemaAndValue sv = conv.toConnectHeader("topic", "h", b.isNull() ? null : b.asText().getBytes(StandardCharsets.UTF_8));
                r.set("data", envelope(sv.schema(), sv.value()));
                return r;
            }
            case "header_from": {
                SimpleHeaderConverter conv = new SimpleHeaderConverter();
                conv.configure(conf(c));
                SchemaAndValue sv = parse(c.get("data"));
                byte[] b = conv.fromConnectHeader("topic", "h", sv.schema(), sv.value());
                r.put("bytes", b == null ? null : new String(b, StandardCharsets.UTF_8));
                return r;
            }
            case "conv_from": {
                org.apache.kafka.connect.storage.Converter conv = (org.apache.kafka.connect.storage.Converter)
                        Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                conv.configure(conf(c), c.path("is_key").asBoolean(false));
                SchemaAndValue sv = parse(c.get("data"));
                byte[] b = conv.fromConnectData("topic", sv.schema(), sv.value());
                r.put("b64", b == null ? null : Base64.getEncoder().encodeToString(b));
                return r;
            }
            case "conv_to": {
                org.apache.kafka.connect.storage.Converter conv = (org.apache.kafka.connect.storage.Converter)
                        Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                conv.configure(conf(c), c.path("is_key").asBoolean(false));
                JsonNode b = c.get("b64");
                SchemaAndValue sv = conv.toConnectData("topic", b.isNull() ? null : Base64.getDecoder().decode(b.asText()));
                r.set("data", envelope(sv.schema(), sv.value()));
                return r;
            }
            case "config_def": {
                Object plugin = Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                org.apache.kafka.common.config.ConfigDef def;
                if (plugin instanceof Transformation) def = ((Transformation) plugin).config();
                else if (plugin instanceof Predicate) def = ((Predicate) plugin).config();
                else if (plugin instanceof org.apache.kafka.connect.storage.Converter) def = ((org.apache.kafka.connect.storage.Converter) plugin).config();
                else def = ((org.apache.kafka.connect.storage.HeaderConverter) plugin).config();
                ArrayNode keys = F.arrayNode();
                for (org.apache.kafka.common.config.ConfigDef.ConfigKey k : def.configKeys().values()) {
                    ObjectNode o = F.objectNode();
                    o.put("name", k.name);
                    o.put("type", k.type.name());
                    o.put("required", !k.hasDefault());
                    if (k.hasDefault() && k.defaultValue != null) o.put("default_value", org.apache.kafka.common.config.ConfigDef.convertToString(k.defaultValue, k.type));
                    else o.putNull("default_value");
                    o.put("importance", k.importance.name());
                    o.put("documentation", k.documentation);
                    keys.add(o);
                }
                r.set("keys", keys);
                return r;
            }
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    static SchemaAndValue parse(JsonNode env) throws Exception {
        if (env == null || env.isNull()) return SchemaAndValue.NULL;
        return REF.toConnectData("topic", MAPPER.writeValueAsBytes(env));
    }

    static JsonNode envelope(org.apache.kafka.connect.data.Schema schema, Object value) throws Exception {
        byte[] b = REF.fromConnectData("topic", schema, value);
        if (b == null) return F.nullNode();
        return MAPPER.readTree(b);
    }

    static ConnectRecord<?> record(JsonNode rec) throws Exception {
        SchemaAndValue key = parse(rec.get("key"));
        SchemaAndValue value = parse(rec.get("value"));
        ConnectHeaders headers = new ConnectHeaders();
        JsonNode hs = rec.get("headers");
        if (hs != null) {
            for (JsonNode h : hs) {
                SchemaAndValue hv = parse(h.get(1));
                headers.add(h.get(0).asText(), hv.value(), hv.schema());
            }
        }
        String topic = rec.path("topic").asText("topic");
        Integer partition = rec.hasNonNull("partition") ? rec.get("partition").asInt() : null;
        Long ts = rec.hasNonNull("timestamp") ? rec.get("timestamp").asLong() : null;
        if (rec.hasNonNull("offset")) {
            return new SinkRecord(topic, partition == null ? 0 : partition, key.schema(), key.value(), value.schema(),
                    value.value(), rec.get("offset").asLong(), ts, org.apache.kafka.common.record.TimestampType.CREATE_TIME, headers);
        }
        return new SourceRecord(null, null, topic, partition, key.schema(), key.value(), value.schema(), value.value(), ts, headers);
    }

    static ObjectNode recordJson(ConnectRecord<?> rec) throws Exception {
        ObjectNode o = F.objectNode();
        o.put("topic", rec.topic());
        if (rec.kafkaPartition() == null) o.putNull("partition"); else o.put("partition", rec.kafkaPartition());
        o.set("key", envelope(rec.keySchema(), rec.key()));
        o.set("value", envelope(rec.valueSchema(), rec.value()));
        if (rec.timestamp() == null) o.putNull("timestamp"); else o.put("timestamp", rec.timestamp());
        ArrayNode hs = F.arrayNode();
        for (Header h : rec.headers()) {
            ArrayNode pair = F.arrayNode();
            pair.add(h.key());
            pair.add(envelope(h.schema(), h.value()));
            hs.add(pair);
        }
        o.set("headers", hs);
        return o;
    }
}
