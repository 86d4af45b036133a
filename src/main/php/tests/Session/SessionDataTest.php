<?php

declare(strict_types=1);

namespace EventHub\Tests\Session;

use EventHub\Exception\InvalidArgumentException;
use EventHub\Session\SessionData;
use PHPUnit\Framework\TestCase;

/** The session formats as PHP itself encodes them (session_encode in a fresh process), read back. */
final class SessionDataTest extends TestCase
{
    private const VARS = [
        'user_id' => 7,
        'name' => "Zoë | \"quoted\" ; {braces}",
        'ratio' => 0.5,
        'flags' => [true, false, null],
        'nested' => ['a' => ['b' => 'deep'], 'empty' => []],
        'object' => 'OBJECT',
        'after' => 'still read',
    ];

    /** @dataProvider formats */
    public function testDecodesWhatPhpEncodes(string $format): void
    {
        $encoded = self::encode($format);
        $vars = SessionData::decode($encoded, $format);
        self::assertSame(7, $vars['user_id']);
        self::assertSame(self::VARS['name'], $vars['name']);
        self::assertSame([true, false, null], $vars['flags']);
        self::assertSame('deep', SessionData::lookup($vars, 'nested.a.b'));
        self::assertInstanceOf(\__PHP_Incomplete_Class::class, $vars['object'], 'objects are never instantiated');
        self::assertSame('still read', $vars['after'], 'values after an object are found');
        self::assertNull(SessionData::lookup($vars, 'nested.a.missing'));
    }

    public static function formats(): iterable
    {
        yield 'php' => ['php'];
        yield 'php_serialize' => ['php_serialize'];
    }

    public function testOtherFormatsAreRefusedByName(): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('session.serialize_handler "php_binary" is not one the hub reads');
        SessionData::decode('x', 'php_binary');
    }

    public function testTruncatedDataIsAnError(): void
    {
        $this->expectException(\UnexpectedValueException::class);
        SessionData::decode(substr(self::encode('php'), 0, 40), 'php');
    }

    /** session_encode of VARS (with an ArrayObject for OBJECT) in a fresh PHP. */
    private static function encode(string $format): string
    {
        $script = sprintf(
            'ini_set("session.serialize_handler", %s); ini_set("session.use_cookies", "0"); ini_set("session.save_path", sys_get_temp_dir());'
            . ' session_start(); $_SESSION = %s; $_SESSION["object"] = new ArrayObject([1, 2]); echo session_encode(); session_abort();'
            . ' unlink(session_save_path() . "/sess_" . session_id());',
            var_export($format, true),
            var_export(self::VARS, true),
        );
        $encoded = shell_exec(escapeshellarg(PHP_BINARY) . ' -r ' . escapeshellarg($script));
        self::assertIsString($encoded);
        return $encoded;
    }
}
