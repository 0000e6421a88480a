package io.beamline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Every value in values.yaml is commented with its default: on itself or on the group it belongs to. */
class ValuesDocumentationTest {

    private static final Pattern KEY = Pattern.compile("^(\\s*)(?:- )?([A-Za-z][\\w.-]*):");

    private record Key(int indent, String path, boolean documented) {
    }

    @Test
    void everyValueHasADefaultInItsOwnOrItsGroupsComment() throws IOException {
        List<String> lines = Files.readAllLines(Chart.DIRECTORY.resolve("values.yaml"));
        Deque<Key> ancestors = new ArrayDeque<>();
        List<String> undocumented = new ArrayList<>();
        int keys = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher key = KEY.matcher(lines.get(i));
            if (!key.find()) {
                continue;
            }
            keys++;
            int indent = key.group(1).length() + (lines.get(i).stripLeading().startsWith("- ") ? 2 : 0);
            while (!ancestors.isEmpty() && ancestors.peek().indent() >= indent) {
                ancestors.pop();
            }
            boolean own = commentAbove(lines, i).contains("Default:");
            boolean inherited = ancestors.stream().anyMatch(Key::documented);
            String path = (ancestors.isEmpty() ? "" : ancestors.peek().path() + ".") + key.group(2);
            if (!own && !inherited && !isGroup(lines, i)) {
                undocumented.add(path);
            }
            ancestors.push(new Key(indent, path, own || inherited));
        }
        assertThat(keys).as("keys read from values.yaml").isGreaterThan(50);
        assertThat(undocumented).as("values without a 'Default:' comment on themselves or their group").isEmpty();
    }

    /** A key whose value is a nested block: its children are documented one by one instead. */
    private static boolean isGroup(List<String> lines, int index) {
        String line = lines.get(index).strip();
        return line.endsWith(":");
    }

    /** The comment lines right above a key, joined. */
    private static String commentAbove(List<String> lines, int index) {
        StringBuilder comment = new StringBuilder();
        for (int i = index - 1; i >= 0 && lines.get(i).strip().startsWith("#"); i--) {
            comment.insert(0, lines.get(i).strip() + " ");
        }
        return comment.toString();
    }
}
