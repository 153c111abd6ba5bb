package io.latchkey.web;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * JSON may escape a lone surrogate ({@code "\ud800"}), which is no Unicode text: refused as the request's
 * mistake (400) when read, whether into a record or a tree, rather than failing later (the password hash's
 * UTF-8 encoder, the database) as a 500.
 */
@Singleton
public class WellFormedJsonStrings implements ObjectMapperCustomizer {

    /** Thrown while reading a body; {@link ErrorMapper} answers it 400. */
    public static final class NotUnicode extends IllegalArgumentException {
        NotUnicode() {
            super("A JSON string is not valid Unicode (a lone surrogate).", null);
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("well-formed-strings").addDeserializer(String.class, new Strings()));
        mapper.setNodeFactory(new Nodes());
    }

    static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String checked(String text) {
        if (text != null && !isWellFormed(text)) {
            throw new NotUnicode();
        }
        return text;
    }

    private static final class Strings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return checked(super.deserialize(p, ctxt));
        }
    }

    private static final class Nodes extends JsonNodeFactory {
        @Override
        public TextNode textNode(String text) {
            return super.textNode(checked(text));
        }
    }
}
