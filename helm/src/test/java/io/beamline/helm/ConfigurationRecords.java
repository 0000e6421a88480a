package io.beamline.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The property tree of a service's {@code @ConfigurationProperties("beamline")} record, read from its
 * Java source: each record component is a property; a component whose type is a record (or enum)
 * declared in the same file is a nested group (or a property with a fixed set of values).
 * <p>
 * Read from source, not loaded as classes, so that the chart's tests do not have to build the four
 * services. It understands the shape the services use (records with annotated components, nested
 * records, enums) and fails loudly on a source it cannot read rather than accepting anything.
 *
 * @param module the service
 * @param prefix the records' prefix, e.g. {@code beamline}
 * @param root   the top-level record's components
 * @param types  every record and enum declared beside it, by simple name
 */
record ConfigurationRecords(String module, String prefix, List<Component> root, Map<String, Type> types) {

    /** One record component: {@code @DefaultValue("127.0.0.1:7100") @NotBlank String address}. */
    record Component(String type, String name) {

        String envSegment() {
            return name.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * A record (its {@code components}), an enum (its constants, in {@code values}) or any other
     * type, a free-form scalar (neither).
     */
    record Type(String name, List<Component> components, List<String> values) {

        boolean isRecord() {
            return components != null;
        }

        boolean isEnum() {
            return values != null;
        }
    }

    /**
     * Whether a {@code BEAMLINE_*} environment variable binds to a scalar property, and if so the
     * property's enum constants (empty for a free-form value).
     */
    Optional<Type> resolveEnv(String envName) {
        String envPrefix = prefix.toUpperCase(Locale.ROOT) + "_";
        if (!envName.startsWith(envPrefix)) {
            return Optional.empty();
        }
        String[] segments = envName.substring(envPrefix.length()).split("_");
        List<Component> level = root;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            Component component = level.stream().filter(c -> c.envSegment().equals(segment)).findFirst().orElse(null);
            if (component == null) {
                return Optional.empty();
            }
            Type type = types.get(component.type());
            boolean last = i == segments.length - 1;
            if (type != null && type.isRecord()) {
                if (last) {
                    return Optional.empty();
                }
                level = type.components();
            } else {
                return last ? Optional.of(type != null ? type : new Type(component.type(), null, null)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    static final class Loader {

        private static final Pattern ROOT = Pattern.compile(
                "@ConfigurationProperties\\(\\s*(?:prefix\\s*=\\s*)?\"([^\"]+)\"\\s*\\)[^{;]*?\\brecord\\s+(\\w+)\\s*\\(");
        private static final Pattern RECORD = Pattern.compile("\\brecord\\s+(\\w+)\\s*\\(");
        private static final Pattern ENUM = Pattern.compile("\\benum\\s+(\\w+)\\s*\\{([^}]*)}");
        private static final Pattern ANNOTATION = Pattern.compile("@[\\w.]+");

        Optional<ConfigurationRecords> load(String module, List<Path> sources) throws IOException {
            for (Path source : sources) {
                String java = withoutComments(Files.readString(source));
                Matcher root = ROOT.matcher(java);
                if (!root.find()) {
                    continue;
                }
                Map<String, Type> types = new LinkedHashMap<>();
                Matcher record = RECORD.matcher(java);
                while (record.find()) {
                    types.put(record.group(1), new Type(record.group(1), components(java, record.end(), source), null));
                }
                Matcher enumeration = ENUM.matcher(java);
                while (enumeration.find()) {
                    List<String> constants = new ArrayList<>();
                    for (String constant : enumeration.group(2).split(";")[0].split(",")) {
                        if (!constant.isBlank()) {
                            constants.add(constant.strip().split("[\\s(]")[0]);
                        }
                    }
                    types.put(enumeration.group(1), new Type(enumeration.group(1), null, constants));
                }
                return Optional.of(new ConfigurationRecords(module, root.group(1), types.get(root.group(2)).components(), types));
            }
            return Optional.empty();
        }

        /** The components between the parenthesis at {@code start - 1} and its match. */
        private static List<Component> components(String java, int start, Path source) {
            List<String> parts = new ArrayList<>();
            int depth = 0;
            int angle = 0;
            StringBuilder current = new StringBuilder();
            for (int i = start; i < java.length(); i++) {
                char c = java.charAt(i);
                if (c == '(' ) {
                    depth++;
                } else if (c == ')') {
                    if (depth == 0) {
                        parts.add(current.toString());
                        return parts.stream().filter(p -> !p.isBlank()).map(p -> component(p, source)).toList();
                    }
                    depth--;
                } else if (c == '<') {
                    angle++;
                } else if (c == '>') {
                    angle--;
                } else if (c == '"') {
                    int end = java.indexOf('"', i + 1);
                    current.append(java, i, end + 1);
                    i = end;
                    continue;
                }
                if (c == ',' && depth == 0 && angle == 0) {
                    parts.add(current.toString());
                    current.setLength(0);
                } else {
                    current.append(c);
                }
            }
            throw new IllegalStateException("unbalanced record declaration in " + source);
        }

        private static Component component(String declaration, Path source) {
            String withoutArguments = stripParenthesised(declaration);
            String plain = ANNOTATION.matcher(withoutArguments).replaceAll(" ").replaceAll("<[^>]*>", "").strip();
            String[] tokens = plain.split("\\s+");
            if (tokens.length != 2) {
                throw new IllegalStateException("cannot read the record component '" + declaration.strip() + "' in " + source);
            }
            String type = tokens[0].substring(tokens[0].lastIndexOf('.') + 1);
            return new Component(type, tokens[1]);
        }

        private static String stripParenthesised(String text) {
            StringBuilder out = new StringBuilder();
            int depth = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    int end = text.indexOf('"', i + 1);
                    if (depth == 0) {
                        out.append(text, i, end + 1);
                    }
                    i = end;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (depth == 0) {
                    out.append(c);
                }
            }
            return out.toString();
        }

        private static String withoutComments(String java) {
            return java.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)//.*$", " ");
        }
    }
}
