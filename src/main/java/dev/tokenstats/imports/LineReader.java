package dev.tokenstats.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a UTF-8 text file line by line, knowing each line's number and the byte offset after it, so an
 * import can resume at a line without reading what came before.
 */
final class LineReader implements AutoCloseable {

    private final FileChannel channel;
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, limit;
    private long offset;     // byte offset of buf[pos]
    private long lineNumber; // number of the last line returned
    private byte[] line = new byte[256];

    LineReader(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        in = Channels.newInputStream(channel);
    }

    /** Continues at {@code byteOffset}, which is the start of line {@code nextLine}. */
    void seek(long byteOffset, long nextLine) throws IOException {
        channel.position(byteOffset);
        pos = limit = 0;
        offset = byteOffset;
        lineNumber = nextLine - 1;
    }

    long size() throws IOException {
        return channel.size();
    }

    /** The next line without its line break, or {@code null} at the end of the file. */
    String next() throws IOException {
        int n = 0;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                int r = in.read(buf);
                if (r <= 0) {
                    if (!any) {
                        return null;
                    }
                    break;
                }
                pos = 0;
                limit = r;
            }
            any = true;
            byte b = buf[pos++];
            offset++;
            if (b == '\n') {
                break;
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, n * 2);
            }
            line[n++] = b;
        }
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        lineNumber++;
        int start = lineNumber == 1 && n >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF ? 3 : 0;
        return new String(line, start, n - start, StandardCharsets.UTF_8);
    }

    /** The number of the line {@link #next()} returned last. */
    long lineNumber() {
        return lineNumber;
    }

    /** The byte offset just after the line {@link #next()} returned last. */
    long offset() {
        return offset;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
