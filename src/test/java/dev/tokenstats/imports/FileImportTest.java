package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import dev.tokenstats.store.UsageEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** CSV and NDJSON files in tokenstats' own event format, imported in process into a real DuckDB store. */
class FileImportTest {

    @TempDir
    Path dir;

    @Test
    void csvWithBadRowsReportsEachWithItsLineNumberAndStoresTheRest() throws Exception {
        long t = Instant.now().minusSeconds(3600).toEpochMilli();
        String iso = Instant.ofEpochMilli(t).toString();
        String header = "id,account,time,model,key,prompt_tokens,completion_tokens,cached_tokens,quota,duration_ms,status,stream,group,notes";
        List<String> lines = List.of(
                header,                                                                                  // 1
                "c-1,acme," + iso + ",gpt-4o,prod,100,20,10,500,1200,success,true,vip,fine",              // 2 ok
                "c-2,acme," + (t + 1) + ",gpt-4o-mini,prod,50,5,,80,,error,,,",                           // 3 ok, empty cells absent
                "c-3,acme," + iso + ",gpt-4o",                                                             // 4 too few fields
                "c-4,acme," + iso + ",gpt-4o,prod,abc,20,0,500,1200,success,true,vip,",                    // 5 not an integer
                "c-5,acme," + iso + ",,prod,100,20,0,500,1200,success,true,vip,",                          // 6 no model
                "c-6,acme," + iso + ",gpt-4o,prod,100,20,0,-5,1200,success,true,vip,",                     // 7 negative quota
                "c-7,acme,yesterday,gpt-4o,prod,100,20,0,500,1200,success,true,vip,",                      // 8 bad time
                "\"c-8\",acme," + iso + ",\"model, with a comma\",prod,100,20,0,500,1200,success,false,vip,\"two",  // 9 ok ...
                "lines\"",                                                                                 // 10 ... spans two lines
                "c-9,acme," + iso + ",gpt-4o,prod,100,20,150,500,1200,success,true,vip,",                  // 11 cached > prompt
                "c-10,acme," + iso + ",gpt-4o,'=SUM(A1),100,20,0,500,1200,success,true,vip,",              // 12 ok, guard removed
                "c-11,acme," + iso + ",gpt-4o,prod,100,20,0,500,1200,success,maybe,vip,",                  // 13 bad stream
                "c-12,acme," + iso + ",gpt-4o,prod,100,20,0,500,1200,ok,true,vip,",                        // 14 bad status
                "",                                                                                        // 15 blank: no row
                "c-13,acme," + iso + ",\"gpt-4o,prod,100,20,0,500,1200,success,true,vip,");                // 16 quote never closed
        Path csv = dir.resolve("events.csv");
        Files.write(csv, lines);
        Path data = dir.resolve("data");

        Run run = Imports.run("csv", csv.toString(), "--tokenstats.data-dir=" + data);

        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("note: ignoring the columns [notes]")
                .contains("rejected line 4: has 4 fields, the header has 14")
                .contains("rejected line 5: prompt_tokens: must be an integer")
                .contains("rejected line 6: model: is required")
                .contains("rejected line 7: quota: must be >= 0")
                .contains("rejected line 8: time: must be an RFC 3339 time with offset")
                .contains("rejected line 11: cached_tokens: must not exceed prompt_tokens")
                .contains("rejected line 13: stream: must be true or false")
                .contains("rejected line 14: status: must be \"success\" or \"error\"")
                .contains("rejected line 16: a quoted field is not closed before the end of the file");
        assertThat(run.count("read")).isEqualTo(13);
        assertThat(run.count("imported")).isEqualTo(4);
        assertThat(run.count("rejected")).isEqualTo(9);
        assertThat(NewApiImportTest.rejectsFile(data)).hasSize(9).first().asString().startsWith("line 4: ");

        List<UsageEvent> stored = Imports.events(data, "acme");
        assertThat(stored).containsExactlyInAnyOrder(
                new UsageEvent("acme", "c-1", t, "gpt-4o", "prod", 100, 20, 10, 500, 1_000_000, 1200, false, true, "vip", ""),
                new UsageEvent("acme", "c-2", t + 1, "gpt-4o-mini", "prod", 50, 5, 0, 80, 160_000, -1, true, null, "", ""),
                new UsageEvent("acme", "c-8", t, "model, with a comma", "prod", 100, 20, 0, 500, 1_000_000, 1200, false, false, "vip", ""),
                new UsageEvent("acme", "c-10", t, "gpt-4o", "=SUM(A1)", 100, 20, 0, 500, 1_000_000, 1200, false, true, "vip", ""));
    }

    @Test
    void ndjsonImportsResumesAfterNewLinesAndImportsOnce() throws Exception {
        long t = Instant.now().minusSeconds(7200).toEpochMilli();
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            lines.add(event("n-" + i, t + i));
            if (i == 122) {
                lines.add("{\"id\":\"broken\",\"account\":\"acme\""); // line 123: not JSON
            }
            if (i == 198) {
                lines.add("[1, 2]"); // line 200: not an object
            }
        }
        Path file = dir.resolve("events.ndjson");
        Files.write(file, lines);
        Path data = dir.resolve("data");

        Run first = Imports.run("ndjson", file.toString(), "--tokenstats.data-dir=" + data, "--batch", "100");
        assertThat(first.status()).as(first.toString()).isEqualTo(2);
        assertThat(first.err()).contains("rejected line 123: not valid JSON")
                .contains("rejected line 200: each event must be a JSON object");
        assertThat(first.count("imported")).isEqualTo(500);
        assertThat(first.count("rejected")).isEqualTo(2);

        List<String> more = new ArrayList<>();
        for (int i = 501; i <= 600; i++) {
            more.add(event("n-" + i, t + i));
        }
        Files.write(file, more, StandardOpenOption.APPEND);
        Run next = Imports.run("ndjson", file.toString(), "--tokenstats.data-dir=" + data);
        assertThat(next.err()).contains("resuming events.ndjson at line 503");
        assertThat(next.count("read")).as(next.toString()).isEqualTo(100);
        assertThat(next.count("imported")).isEqualTo(100);

        Run again = Imports.run("ndjson", file.toString(), "--tokenstats.data-dir=" + data, "--restart");
        assertThat(again.count("read")).isEqualTo(602);
        assertThat(again.count("imported")).isZero();
        assertThat(again.count("duplicates")).isEqualTo(600);
        assertThat(Imports.events(data, "acme")).hasSize(600);
    }

    static String event(String id, long time) {
        return "{\"id\":\"" + id + "\",\"account\":\"acme\",\"time\":" + time + ",\"model\":\"gpt-4o\",\"key\":\"k\","
                + "\"prompt_tokens\":7,\"completion_tokens\":3,\"quota\":42}";
    }
}
