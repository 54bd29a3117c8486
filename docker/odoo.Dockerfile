# Official Odoo 18.0 image plus the OCA wheels this project depends on.
FROM odoo:18.0
USER root
# A Thai TrueType font (Garuda, Loma…): the Shopee simulator, which runs on
# this image, writes Thai addresses on its air waybills (reportlab needs TTF).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-thai-tlwg \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/marketplace-requirements.txt
# --no-deps: the wheels require an "odoo" distribution the image does not
# register; their own dependencies are pinned in requirements.txt.
RUN pip3 install --no-cache-dir --break-system-packages --no-deps \
        -r /tmp/marketplace-requirements.txt
USER odoo
