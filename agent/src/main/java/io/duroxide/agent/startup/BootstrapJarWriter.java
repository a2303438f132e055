package io.duroxide.agent.startup;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;

/**
 * Writes the jar of bridge classes that the agent appends to the bootstrap class path
 * ({@code appendToBootstrapClassLoaderSearch} needs a jar file): a minimal uncompressed ("stored") zip,
 * written by hand because {@code ZipOutputStream} stamps entries with the current local time, which loads
 * the time-zone database and costs about 20 ms of start-up.
 */
final class BootstrapJarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream central = new ByteArrayOutputStream();
    private int entries;

    void add(String name, byte[] data) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length);
        long c = crc.getValue();
        int offset = out.size();
        // local file header
        int32(out, 0x04034b50);
        int16(out, 20); // version needed
        int16(out, 0x0800); // flags: UTF-8 names
        int16(out, 0); // stored
        int16(out, 0); // time
        int16(out, 0x21); // date 1980-01-01
        int32(out, (int) c);
        int32(out, data.length);
        int32(out, data.length);
        int16(out, n.length);
        int16(out, 0);
        out.write(n, 0, n.length);
        out.write(data, 0, data.length);
        // central directory entry
        int32(central, 0x02014b50);
        int16(central, 20);
        int16(central, 20);
        int16(central, 0x0800);
        int16(central, 0);
        int16(central, 0);
        int16(central, 0x21);
        int32(central, (int) c);
        int32(central, data.length);
        int32(central, data.length);
        int16(central, n.length);
        int16(central, 0); // extra
        int16(central, 0); // comment
        int16(central, 0); // disk
        int16(central, 0); // internal attrs
        int32(central, 0); // external attrs
        int32(central, offset);
        central.write(n, 0, n.length);
        entries++;
    }

    byte[] toByteArray() {
        int cdOffset = out.size();
        byte[] cd = central.toByteArray();
        ByteArrayOutputStream all = new ByteArrayOutputStream(cdOffset + cd.length + 22);
        byte[] body = out.toByteArray();
        all.write(body, 0, body.length);
        all.write(cd, 0, cd.length);
        int32(all, 0x06054b50);
        int16(all, 0);
        int16(all, 0);
        int16(all, entries);
        int16(all, entries);
        int32(all, cd.length);
        int32(all, cdOffset);
        int16(all, 0);
        return all.toByteArray();
    }

    private static void int16(ByteArrayOutputStream o, int v) {
        o.write(v & 0xff);
        o.write((v >>> 8) & 0xff);
    }

    private static void int32(ByteArrayOutputStream o, int v) {
        int16(o, v & 0xffff);
        int16(o, (v >>> 16) & 0xffff);
    }
}
