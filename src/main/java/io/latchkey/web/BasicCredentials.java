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
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return Optional.of(new BasicCredentials(text.substring(0, colon), text.substring(colon + 1)));
    }
}
