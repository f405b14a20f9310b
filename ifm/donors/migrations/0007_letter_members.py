from django.db import migrations, models

# The default letter before it named a joint receipt's members under the household's name,
# and after.
PREVIOUS_DEFAULT = '<div class="letterhead">\n  {% if logo %}<img class="logo" src="{{ logo }}" alt="">{% endif %}\n  <div class="org">\n    <strong>{{ org.legal_name }}</strong><br>\n    {% for line in org.address %}{{ line }}<br>{% endfor %}\n    EIN {{ org.ein }}\n  </div>\n</div>\n<p class="meta">{{ receipt.title }} No. {{ receipt.number }}<br>Date: {{ receipt.issued_on }}\n{% if receipt.replaces %}<br>This receipt corrects and replaces receipt No.\n{{ receipt.replaces }}.{% endif %}\n{% if receipt.tax_year %}<br>Tax year: {{ receipt.tax_year }}{% endif %}</p>\n<p class="address">{{ donor.name }}<br>{% for line in donor.address %}{{ line }}<br>{% endfor %}</p>\n<p>{{ donor.greeting }},</p>\n<p>{{ thank_you }}</p>\n<table class="gifts">\n  <thead><tr><th>Date</th><th>Gift</th><th>Amount</th></tr></thead>\n  <tbody>\n  {% for gift in gifts %}\n    <tr>\n      <td>{{ gift.date_display }}</td>\n      <td>{% if gift.kind == "non-cash" %}Non-cash gift: {{ gift.description }}\n        {% else %}{{ gift.method_label }}{% endif %}\n        {% if not summary_statement %}<div class="goods">{{ gift.goods_statement }}</div>{% endif %}\n        {% if gift.quid_pro_quo %}<div class="qpq">{{ gift.quid_pro_quo }}</div>{% endif %}</td>\n      <td class="num">{{ gift.amount }}</td>\n    </tr>\n  {% endfor %}\n  </tbody>\n  <tfoot><tr><th colspan="2">Total cash contributions</th>\n    <th class="num">{{ totals.cash_total }}</th></tr></tfoot>\n</table>\n{% if summary_statement %}<p class="goods">{{ summary_statement }}</p>{% endif %}\n<p>{{ org.legal_name }} is a tax-exempt organization under section 501(c)(3) of the Internal\nRevenue Code. Please keep this letter for your tax records.</p>\n<p class="signature">With gratitude,<br><br>{{ signature.name }}<br>{{ signature.title }}</p>\n'
NEW_DEFAULT = '<div class="letterhead">\n  {% if logo %}<img class="logo" src="{{ logo }}" alt="">{% endif %}\n  <div class="org">\n    <strong>{{ org.legal_name }}</strong><br>\n    {% for line in org.address %}{{ line }}<br>{% endfor %}\n    EIN {{ org.ein }}\n  </div>\n</div>\n<p class="meta">{{ receipt.title }} No. {{ receipt.number }}<br>Date: {{ receipt.issued_on }}\n{% if receipt.replaces %}<br>This receipt corrects and replaces receipt No.\n{{ receipt.replaces }}.{% endif %}\n{% if receipt.tax_year %}<br>Tax year: {{ receipt.tax_year }}{% endif %}</p>\n<p class="address">{{ donor.name }}<br>\n{% if donor.joint and donor.members_display %}{{ donor.members_display }}<br>{% endif %}\n{% for line in donor.address %}{{ line }}<br>{% endfor %}</p>\n<p>{{ donor.greeting }},</p>\n<p>{{ thank_you }}</p>\n<table class="gifts">\n  <thead><tr><th>Date</th><th>Gift</th><th>Amount</th></tr></thead>\n  <tbody>\n  {% for gift in gifts %}\n    <tr>\n      <td>{{ gift.date_display }}</td>\n      <td>{% if gift.kind == "non-cash" %}Non-cash gift: {{ gift.description }}\n        {% else %}{{ gift.method_label }}{% endif %}\n        {% if not summary_statement %}<div class="goods">{{ gift.goods_statement }}</div>{% endif %}\n        {% if gift.quid_pro_quo %}<div class="qpq">{{ gift.quid_pro_quo }}</div>{% endif %}</td>\n      <td class="num">{{ gift.amount }}</td>\n    </tr>\n  {% endfor %}\n  </tbody>\n  <tfoot><tr><th colspan="2">Total cash contributions</th>\n    <th class="num">{{ totals.cash_total }}</th></tr></tfoot>\n</table>\n{% if summary_statement %}<p class="goods">{{ summary_statement }}</p>{% endif %}\n<p>{{ org.legal_name }} is a tax-exempt organization under section 501(c)(3) of the Internal\nRevenue Code. Please keep this letter for your tax records.</p>\n<p class="signature">With gratitude,<br><br>{{ signature.name }}<br>{{ signature.title }}</p>\n'


def use_the_new_default(apps, schema_editor):
    """Organizations that never changed the default letter get the new one; letters their
    admins edited are left as they wrote them."""
    settings = apps.get_model("donors", "ReceiptSettings")
    settings.objects.filter(letter_template=PREVIOUS_DEFAULT).update(letter_template=NEW_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0006_joint_receipts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="receiptsettings",
            name="letter_template",
            field=models.TextField(
                default=NEW_DEFAULT,
                help_text="HTML with Django template tags; only the receipt's own data is available.",
                max_length=50000,
            ),
        ),
        migrations.RunPython(use_the_new_default, migrations.RunPython.noop),
    ]
