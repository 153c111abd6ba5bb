package io.latchkey.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The user-id and password of an HTTP Basic header (RFC 7617), decoded strictly as UTF-8. */
public record BasicCredentials(String id, String secret) {

    @Override
    public String toString() {
        return "BasicCredentials[id=" + id + "]";
    }

    /** Empty when the credentials are not valid Base64 of UTF-8 "id:secret". */
    static Optional<BasicCredentials> decode(String token68) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(token68);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String text = isAscii(raw) ? new String(raw, StandardCharsets.US_ASCII) : strictUtf8(raw);
        if (text == null) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return Optional.of(new BasicCredentials(text.substring(0, colon), text.substring(colon + 1)));
    }

    /** ASCII is UTF-8 as it is: the common case skips building a strict decoder. */
    private static boolean isAscii(byte[] raw) {
        for (byte b : raw) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static String strictUtf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
